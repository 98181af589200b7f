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
