/**
 * The typed tree an action returns. Handlers build it with {@link struct}, {@link list},
 * {@link map} and {@link timestamp}, and never concatenate XML or JSON: the renderers
 * turn one tree into Query XML, the legacy Query JSON, or a REST-JSON body. Field order
 * is insertion order; undefined fields are left out.
 */
export type ResultValue =
  | string
  | number
  | boolean
  | ResultTimestamp
  | ResultList
  | ResultMap
  | ResultStruct
  | null
  | undefined

/** A structure: named members in order. */
export interface ResultStruct {
  readonly kind: 'struct'
  readonly fields: readonly (readonly [name: string, value: ResultValue])[]
}

/** A list, rendered in XML as `<Name><member>…</member></Name>`. */
export interface ResultList {
  readonly kind: 'list'
  readonly items: readonly ResultValue[]
  /** The XML element of each item (`member` in every IAM/STS list). */
  readonly member: string
}

/** A map, rendered in XML as `<Name><entry><key>…</key><value>…</value></entry></Name>`. */
interface ResultMap {
  readonly kind: 'map'
  readonly entries: readonly (readonly [key: string, value: ResultValue])[]
  readonly entry: string
  readonly key: string
  readonly value: string
}

/**
 * A point in time: ISO 8601 UTC without fractional seconds in XML
 * (`2014-10-24T23:00:23Z`), epoch seconds as a JSON number in JSON.
 */
interface ResultTimestamp {
  readonly kind: 'timestamp'
  /** Milliseconds since the epoch; the fraction of a second is dropped on output. */
  readonly ms: number
}

/** A structure from an object literal, members in the literal's order. */
export function struct(fields: Readonly<Record<string, ResultValue>>): ResultStruct {
  return { kind: 'struct', fields: Object.entries(fields) }
}

/** A list of values. */
export function list(items: readonly ResultValue[], member = 'member'): ResultList {
  return { kind: 'list', items, member }
}

/** A map from an object or from entries (order kept). */
export function map(
  entries: Readonly<Record<string, ResultValue>> | Iterable<readonly [string, ResultValue]>,
  shape: { readonly entry?: string; readonly key?: string; readonly value?: string } = {},
): ResultMap {
  const pairs = Symbol.iterator in entries ? [...entries] : Object.entries(entries)
  return {
    kind: 'map',
    entries: pairs,
    entry: shape.entry ?? 'entry',
    key: shape.key ?? 'key',
    value: shape.value ?? 'value',
  }
}

/** A timestamp from epoch milliseconds. */
export function timestamp(ms: number): ResultTimestamp {
  return { kind: 'timestamp', ms }
}

/** The texts of the last two seconds asked for (an STS answer asks for now and for its expiry, in turn). */
const isoSeconds = new Map<number, string>()

/**
 * `2014-10-24T23:00:23Z`: ISO 8601, UTC, whole seconds, as AWS Query renders times. (The
 * last two seconds' texts are kept: every signed request's `aws:CurrentTime` asks for now,
 * every STS answer for its expiry too.)
 */
export function iso8601Seconds(ms: number): string {
  const second = Math.floor(ms / 1000)
  const known = isoSeconds.get(second)
  if (known !== undefined) return known
  const text = new Date(second * 1000).toISOString().replace('.000Z', 'Z')
  if (isoSeconds.size >= 2) isoSeconds.delete(isoSeconds.keys().next().value ?? second)
  isoSeconds.set(second, text)
  return text
}

/** Whole epoch seconds, as the JSON renderings carry times. */
export function epochSecondsOf(ms: number): number {
  return Math.floor(ms / 1000)
}
