import type { JsonObject } from '../webhook/index.js'
import { desiredReplicas } from './deployments.js'
import { metaOf, metaString, obj } from './json.js'
import { applyPatch } from './patch.js'
import type { KubeRegistry } from './registry.js'
import { kubeError } from './status.js'
import { parseBody, type Answer, type ResourceRequest } from './verbs.js'

/**
 * The `deployments/scale` subresource (`autoscaling/v1` Scale), what `kubectl scale`
 * reads and patches: `spec.replicas` of the Deployment, `status.replicas` and the
 * selector as a label-selector string.
 */

function scaleOf(d: JsonObject): JsonObject {
  const meta = metaOf(d)
  const labels = obj(obj(obj(d['spec'])['selector'])['matchLabels'])
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta['name'] ?? '',
      namespace: meta['namespace'] ?? '',
      uid: meta['uid'] ?? '',
      resourceVersion: meta['resourceVersion'] ?? '',
      creationTimestamp: meta['creationTimestamp'] ?? null,
    },
    spec: { replicas: desiredReplicas(d) },
    status: {
      replicas: obj(d['status'])['replicas'] ?? 0,
      selector: Object.entries(labels)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(','),
    },
  }
}

/** GET, PUT and PATCH of `.../deployments/NAME/scale`. */
export function serveScale(req: ResourceRequest, registry: KubeRegistry): Answer {
  const ns = req.namespace ?? 'default'
  const name = req.name ?? ''
  const d = registry.get(req.resource, ns, name)
  if (req.method === 'GET') return { status: 200, body: scaleOf(d) }
  if (req.method !== 'PUT' && req.method !== 'PATCH')
    throw kubeError('MethodNotAllowed', {
      resource: { group: 'apps', resource: 'deployments/scale' },
      detail: req.method,
    })
  const next =
    req.method === 'PUT'
      ? parseBody(req)
      : applyPatch(scaleOf(d), req.contentType ?? '', req.raw.toString('utf8'))
  const replicas = obj(obj(next)['spec'])['replicas']
  if (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas))
    throw kubeError('Invalid', {
      kind: 'Scale.autoscaling',
      name,
      detail: `spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
    })
  const updated = registry.update(req.resource, ns, name, {
    ...d,
    metadata: { ...metaOf(d), resourceVersion: metaString(d, 'resourceVersion') },
    spec: { ...obj(d['spec']), replicas },
  })
  return { status: 200, body: scaleOf(updated) }
}
