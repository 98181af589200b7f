import type { JsonObject } from '../webhook/index.js'
import type { ResourceInfo } from './resources.js'
import { kubeError } from './status.js'
import { renderTable, wantsTable } from './table.js'

/** The name of the built-in webhook's configuration, as the EKS pod identity webhook's. */
export const POD_IDENTITY_WEBHOOK_CONFIG = 'pod-identity-webhook'

/**
 * The MutatingWebhookConfiguration a local cluster lists: its built-in pod identity
 * webhook, which admits every pod CREATE in every namespace. Admission runs inside the
 * API server, so it cannot be down: `failurePolicy: Fail`, as EKS configures it.
 */
export function podIdentityWebhookConfig(createdAt: string): JsonObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: POD_IDENTITY_WEBHOOK_CONFIG,
      uid: '00000000-0000-4000-8000-000000000001',
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: createdAt,
    },
    webhooks: [
      {
        name: 'iam-for-pods.amazonaws.com',
        admissionReviewVersions: ['v1beta1'],
        clientConfig: { url: 'https://127.0.0.1/mutate' },
        failurePolicy: 'Fail',
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
        reinvocationPolicy: 'IfNeeded',
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['pods'],
            scope: '*',
          },
        ],
        sideEffects: 'None',
        timeoutSeconds: 10,
      },
    ],
  }
}

/** What a read of mutatingwebhookconfigurations asks. */
interface WebhookConfigRequest {
  readonly method: string
  readonly resource: ResourceInfo
  readonly name: string | undefined
  readonly accept: string | undefined
  readonly nowMs: number
}

/** `get` and `list` of the read-only mutatingwebhookconfigurations; other verbs are refused. */
export function serveWebhookConfigs(
  req: WebhookConfigRequest,
  createdAt: string,
): { readonly status: number; readonly body: JsonObject } {
  const gr = { group: req.resource.group, resource: req.resource.resource }
  if (req.method !== 'GET')
    throw kubeError('MethodNotAllowed', { resource: gr, detail: req.method })
  const items = [podIdentityWebhookConfig(createdAt)]
  if (req.name !== undefined) {
    const found = items.find((o) => (o['metadata'] as JsonObject)['name'] === req.name)
    if (found === undefined) throw kubeError('NotFound', { resource: gr, name: req.name })
    return {
      status: 200,
      body: wantsTable(req.accept)
        ? renderTable(req.resource.kind, [found], { nowMs: req.nowMs, resourceVersion: '1' })
        : found,
    }
  }
  if (wantsTable(req.accept))
    return {
      status: 200,
      body: renderTable(req.resource.kind, items, { nowMs: req.nowMs, resourceVersion: '1' }),
    }
  return {
    status: 200,
    body: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfigurationList',
      metadata: { resourceVersion: '1' },
      items,
    },
  }
}
