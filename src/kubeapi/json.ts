import type { JsonObject, JsonValue } from '../webhook/index.js'

/** Reading untyped Kubernetes objects: one copy of the narrowing helpers. */

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `v` when it is an object, else `{}`. */
export function obj(v: unknown): JsonObject {
  return isObject(v) ? v : {}
}

/** `v` when it is a string, else `fallback`. */
export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback
}

/** `o.metadata`, or `{}`. */
export function metaOf(o: JsonValue | undefined): JsonObject {
  return obj(obj(o)['metadata'])
}

/** A string field of `o.metadata` (`name`, `uid`, `resourceVersion`), or ''. */
export function metaString(o: JsonValue | undefined, field: string): string {
  return str(metaOf(o)[field])
}

/** `o` without the keys in `drop`. */
export function without(o: JsonObject, drop: Iterable<string>): JsonObject {
  const gone = new Set(drop)
  return Object.fromEntries(Object.entries(o).filter(([k]) => !gone.has(k)))
}

/**
 * Whether an Accept header offers `application/json` with exactly these parameters
 * (`g`, `v`, `as`: `application/json;as=Table;v=v1;g=meta.k8s.io`), in any order.
 */
export function acceptsJsonAs(
  accept: string | undefined,
  want: { readonly g: string; readonly v: string; readonly as: string },
): boolean {
  if (accept === undefined) return false
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim())
    if (type !== 'application/json') return false
    const got = new Map(
      params.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
    )
    return got.get('g') === want.g && got.get('v') === want.v && got.get('as') === want.as
  })
}
