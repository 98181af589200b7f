/**
 * Keys whose values are credentials, compared without case: wherever one appears in a
 * logged object (at any depth up to {@link MAX_REDACT_DEPTH}), its value is replaced.
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'token',
  'webidentitytoken',
  'sessiontoken',
  'secretaccesskey',
  'authorization',
  'x-amz-security-token',
  'privatekey',
])

/** What a secret's value becomes in a log line. */
export const CENSOR = '[redacted]'

/** How deep {@link redactSecrets} looks; deeper values (and cycles) are left as they are. */
export const MAX_REDACT_DEPTH = 8

function isSecretKey(key: string): boolean {
  // toLowerCase gives back the same string when there is nothing to lower, so the common
  // all-lowercase key costs one Set lookup.
  return SECRET_KEYS.has(key) || SECRET_KEYS.has(key.toLowerCase())
}

function censor(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_REDACT_DEPTH) return value
  if (ArrayBuffer.isView(value)) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]
      const c = censor(v, depth + 1)
      if (c !== v) {
        copy ??= value.slice()
        copy[i] = c
      }
    }
    return copy ?? value
  }
  const record = value as Record<string, unknown>
  let copy: Record<string, unknown> | undefined
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    const v = record[key]
    const c = v !== undefined && isSecretKey(key) ? CENSOR : censor(v, depth + 1)
    if (c !== v) {
      copy ??= { ...record }
      copy[key] = c
    }
  }
  return copy ?? value
}

/**
 * `obj` with the value of every {@link SECRET_KEYS} key replaced by {@link CENSOR}. The
 * input is never changed: a clean object comes back as it is (no copy), one with secrets
 * as a copy that shares every untouched branch. Typed arrays and Buffers are not walked.
 */
export function redactSecrets<T extends object>(obj: T): T {
  return censor(obj, 0) as T
}
