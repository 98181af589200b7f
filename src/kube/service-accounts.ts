import type { KubeClient } from './client.js'
import { KubeError } from './errors.js'

/** A ServiceAccount as the informer keeps it: only what the webhook reads. */
export type StrippedServiceAccount = {
  readonly metadata: {
    readonly name: string
    readonly namespace: string
    readonly resourceVersion: string
    /** Only the annotations under the configured prefix (`<prefix>/…`). */
    readonly annotations: Readonly<Record<string, string>>
  }
}

const NO_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({})

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Strips a ServiceAccount from the API down to name, namespace, resourceVersion and the
 * annotations that start with `<prefix>/`, as the reference's informer transform does;
 * `undefined` when it has no name or namespace. `intern` shares repeated strings
 * (namespaces) between entries.
 */
export function stripServiceAccount(
  raw: unknown,
  prefix: string,
  intern: (s: string) => string = (s) => s,
): StrippedServiceAccount | undefined {
  if (!isRecord(raw)) return undefined
  const m = raw['metadata']
  if (!isRecord(m)) return undefined
  const name = m['name']
  const namespace = m['namespace']
  if (typeof name !== 'string' || typeof namespace !== 'string' || name === '' || namespace === '')
    return undefined
  const rv = m['resourceVersion']
  const all = m['annotations']
  let annotations = NO_ANNOTATIONS
  if (isRecord(all)) {
    const start = prefix + '/'
    let kept: Record<string, string> | undefined
    for (const k of Object.keys(all)) {
      const v = all[k]
      if (k.startsWith(start) && typeof v === 'string') (kept ??= {})[k] = v
    }
    if (kept !== undefined) annotations = kept
  }
  return {
    metadata: {
      name,
      namespace: intern(namespace),
      resourceVersion: typeof rv === 'string' ? rv : '',
      annotations,
    },
  }
}

/** A ServiceAccount as the API answers it (the fields the operator commands read). */
export interface ServiceAccountObject {
  readonly metadata: {
    readonly name: string
    readonly namespace: string
    readonly annotations?: Readonly<Record<string, string>>
    readonly labels?: Readonly<Record<string, string>>
    readonly resourceVersion?: string
  }
}

/** ServiceAccount get/list/create/merge-patch/delete over a {@link KubeClient}. */
export interface ServiceAccountApi {
  /** The ServiceAccount, or undefined when it does not exist (404). */
  get(namespace: string, name: string): Promise<ServiceAccountObject | undefined>
  /** Every ServiceAccount of `namespace`, or of every namespace when undefined. */
  list(namespace?: string): Promise<ServiceAccountObject[]>
  create(
    namespace: string,
    name: string,
    meta: {
      readonly annotations?: Readonly<Record<string, string>>
      readonly labels?: Readonly<Record<string, string>>
    },
  ): Promise<ServiceAccountObject>
  /** A JSON merge patch (RFC 7386): `null` removes a key. */
  patch(namespace: string, name: string, patch: unknown): Promise<ServiceAccountObject>
  /** Deletes it; true when it existed. */
  delete(namespace: string, name: string): Promise<boolean>
}

function apiMessage(body: unknown, status: number): string {
  return isRecord(body) && typeof body['message'] === 'string'
    ? body['message']
    : `status ${status}`
}

/** The {@link ServiceAccountApi} of `client`; a refusal is `ERR_KUBE_API` with the server's message. */
export function serviceAccountApi(client: KubeClient): ServiceAccountApi {
  const path = (ns: string, name?: string): string =>
    `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts` +
    (name !== undefined ? `/${encodeURIComponent(name)}` : '')
  const check = (
    what: string,
    r: { status: number; body: unknown },
    ok: (s: number) => boolean,
  ): void => {
    if (!ok(r.status))
      throw new KubeError('ERR_KUBE_API', `${what}: ${apiMessage(r.body, r.status)}`, r.status)
  }
  return {
    async get(ns, name) {
      const r = await client.get(path(ns, name), { timeoutMs: 30_000 })
      if (r.status === 404) return undefined
      check(`get serviceaccount ${ns}/${name}`, r, (s) => s === 200)
      return r.body as ServiceAccountObject
    },
    async list(ns) {
      const r = await client.get(ns === undefined ? '/api/v1/serviceaccounts' : path(ns), {
        timeoutMs: 30_000,
      })
      check('list serviceaccounts', r, (s) => s === 200)
      const items = isRecord(r.body) && Array.isArray(r.body['items']) ? r.body['items'] : []
      return items as ServiceAccountObject[]
    },
    async create(ns, name, meta) {
      const r = await client.send('POST', path(ns), {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: ns, ...meta },
      })
      check(`create serviceaccount ${ns}/${name}`, r, (s) => s === 201 || s === 200)
      return r.body as ServiceAccountObject
    },
    async patch(ns, name, patch) {
      const r = await client.send('PATCH', path(ns, name), patch, {
        contentType: 'application/merge-patch+json',
      })
      check(`patch serviceaccount ${ns}/${name}`, r, (s) => s === 200)
      return r.body as ServiceAccountObject
    },
    async delete(ns, name) {
      const r = await client.send('DELETE', path(ns, name))
      if (r.status === 404) return false
      check(`delete serviceaccount ${ns}/${name}`, r, (s) => s === 200 || s === 202)
      return true
    },
  }
}
