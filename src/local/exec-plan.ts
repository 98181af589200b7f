import { posix } from 'node:path'
import type { Clock } from '../core/index.js'
import type { Cluster, Store } from '../store/index.js'
import { createTokenSigner, loadSigningKey } from '../token/index.js'
import {
  ANNOTATIONS,
  ENV,
  IRSA_VOLUME_NAME,
  annotationKey,
  type JsonObject,
  type MutationConfig,
} from '../webhook/index.js'
import { admitPod } from './admission.js'
import { LocalError, notFound } from './errors.js'
import { requireNamespace } from './namespaces.js'
import { findServiceAccount } from './service-accounts.js'

/** Variables `irsa exec` removes from the inherited environment so the SDKs use web identity. */
const REMOVED_ENV: readonly string[] = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
]

/** A signed token and its lifetime. */
export interface SignedToken {
  readonly token: string
  /** `exp - iat`, seconds. */
  readonly lifetimeSeconds: number
}

/** What `irsa exec` runs with: the pod's environment and how to sign its token. */
interface ExecPlan {
  /** The container's injected variables, in the webhook's order (name → value). */
  readonly injected: readonly (readonly [string, string])[]
  /** The token file's name: the basename of the injected `AWS_WEB_IDENTITY_TOKEN_FILE`. */
  readonly tokenFileName: string
  readonly audience: string
  readonly expirationSeconds: number
  /** Signs a new token with the cluster's current key (read at each call). */
  readonly sign: () => SignedToken
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? (cur[p] as unknown) : undefined
    else cur = isObject(cur) ? cur[p] : undefined
  }
  return cur
}

/** The projected token the webhook put in the pod: audience, lifetime, file name. */
function projectedToken(pod: JsonObject): { audience: string; expirationSeconds: number } {
  const volumes = at(pod, 'spec', 'volumes')
  const volume: unknown = Array.isArray(volumes)
    ? (volumes as unknown[]).find((v) => isObject(v) && v['name'] === IRSA_VOLUME_NAME)
    : undefined
  const token = at(volume, 'projected', 'sources', 0, 'serviceAccountToken')
  const audience = at(token, 'audience')
  const expirationSeconds = at(token, 'expirationSeconds')
  if (typeof audience !== 'string' || typeof expirationSeconds !== 'number')
    throw new LocalError('ERR_LOCAL_EXEC', 'the webhook gave the pod no projected token volume')
  return { audience, expirationSeconds }
}

/**
 * Plans `irsa exec` for a ServiceAccount: builds a one-container pod that uses it, admits
 * it with the webhook's mutation, and takes what the container got. Errors, one line
 * each: the namespace or ServiceAccount is missing (kubectl's NotFound), or the
 * ServiceAccount names no role.
 */
export function planExec(
  store: Store,
  cluster: Cluster,
  namespace: string,
  serviceAccountName: string,
  config: MutationConfig,
  clock: Clock,
): ExecPlan {
  requireNamespace(store, cluster.arn, namespace)
  const sa = findServiceAccount(store, cluster.arn, namespace, serviceAccountName, true)
  if (sa === undefined) throw notFound('serviceaccounts', serviceAccountName)
  const pod: JsonObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `irsa-exec-${serviceAccountName}`.slice(0, 253), namespace },
    spec: { serviceAccountName, containers: [{ name: 'exec', image: 'irsa-exec' }] },
  }
  const admitted = admitPod(pod, sa, config)
  const roleKey = annotationKey(config.annotationPrefix, ANNOTATIONS.roleArn)
  if (admitted.outcome !== 'mutated' || admitted.pod === pod)
    throw new LocalError(
      'ERR_LOCAL_NO_ROLE',
      `serviceaccount ${namespace}/${serviceAccountName} has no ${roleKey} annotation: annotate it with the IAM role to assume`,
    )
  const env = at(admitted.pod, 'spec', 'containers', 0, 'env')
  const injected: [string, string][] = []
  if (Array.isArray(env))
    for (const e of env)
      if (isObject(e) && typeof e['name'] === 'string' && typeof e['value'] === 'string')
        injected.push([e['name'], e['value']])
  const tokenPath = injected.find(([k]) => k === ENV.webIdentityTokenFile)?.[1]
  if (tokenPath === undefined)
    throw new LocalError(
      'ERR_LOCAL_NO_ROLE',
      `serviceaccount ${namespace}/${serviceAccountName} gets no web identity token (is it associated with EKS Pod Identity?)`,
    )
  const { audience, expirationSeconds } = projectedToken(admitted.pod)
  const uid = sa.metadata?.['uid']
  const sign = (): SignedToken => {
    const current = store.clusters.signingKey(cluster.arn)
    if (current === undefined)
      throw new LocalError(
        'ERR_LOCAL_EXEC',
        `cluster ${cluster.name} has no signing key: run 'irsa cluster rotate-keys ${cluster.name}'`,
      )
    const key = loadSigningKey(
      store.clusters.readPrivateKey(cluster.arn, current.kid),
      `cluster ${cluster.name} key`,
    )
    const signer = createTokenSigner({ key, issuer: cluster.issuerUrl, clock })
    const issued = signer.issue({
      namespace,
      serviceAccount: {
        name: serviceAccountName,
        ...(typeof uid === 'string' ? { uid } : {}),
      },
      audiences: [audience],
      expirationSeconds,
    })
    return { token: issued.token, lifetimeSeconds: issued.claims.exp - issued.claims.iat }
  }
  return {
    injected,
    tokenFileName: posix.basename(tokenPath),
    audience,
    expirationSeconds,
    sign,
  }
}

/**
 * The command's environment: the inherited one without static credentials or a profile
 * ({@link REMOVED_ENV}), the pod's injected variables, the token file at `tokenFile`, and
 * the local endpoint (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`) when there is one.
 */
export function execEnvironment(
  inherited: Readonly<Record<string, string | undefined>>,
  plan: Pick<ExecPlan, 'injected'>,
  tokenFile: string,
  endpoint: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(inherited))
    if (v !== undefined && !REMOVED_ENV.includes(k)) env[k] = v
  for (const [k, v] of plan.injected) env[k] = v
  env[ENV.webIdentityTokenFile] = tokenFile
  if (endpoint !== undefined && endpoint !== '') {
    env['AWS_ENDPOINT_URL'] = endpoint
    env['AWS_ENDPOINT_URL_STS'] = endpoint
  }
  return env
}

/** What a command run as a stored pod's container gets (see {@link planPodExec}). */
export interface PodExecPlan {
  /** The container's literal variables (`value`, not `valueFrom`), in order. */
  readonly injected: readonly (readonly [string, string])[]
  /** The token file's name: the basename of the container's `AWS_WEB_IDENTITY_TOKEN_FILE`. */
  readonly tokenFileName: string
  /** The projected token's audience and lifetime; undefined when the pod has none. */
  readonly projected: { readonly audience: string; readonly expirationSeconds: number } | undefined
  readonly serviceAccountName: string
}

/**
 * Plans a command run as container `containerName` of a pod already admitted (stored
 * after the webhook's mutation): its literal environment, and the projected token the
 * webhook gave it (none: the pod does not use IRSA). Throws when the pod has no such
 * container.
 */
export function planPodExec(pod: JsonObject, containerName: string): PodExecPlan {
  const containers = at(pod, 'spec', 'containers')
  const container: unknown = Array.isArray(containers)
    ? (containers as unknown[]).find((c) => isObject(c) && c['name'] === containerName)
    : undefined
  if (!isObject(container))
    throw new LocalError('ERR_LOCAL_EXEC', `the pod has no container ${containerName}`)
  const injected: [string, string][] = []
  const env = container['env']
  if (Array.isArray(env))
    for (const e of env)
      if (isObject(e) && typeof e['name'] === 'string' && typeof e['value'] === 'string')
        injected.push([e['name'], e['value']])
  const tokenPath = injected.find(([k]) => k === ENV.webIdentityTokenFile)?.[1]
  let projected: PodExecPlan['projected']
  try {
    projected = tokenPath === undefined ? undefined : projectedToken(pod)
  } catch {
    projected = undefined
  }
  const sa = at(pod, 'spec', 'serviceAccountName')
  return {
    injected,
    tokenFileName: tokenPath === undefined ? 'token' : posix.basename(tokenPath),
    projected,
    serviceAccountName: typeof sa === 'string' && sa !== '' ? sa : 'default',
  }
}
