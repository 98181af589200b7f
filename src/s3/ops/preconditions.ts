import { awsError, S3_ERRORS } from '../../aws/index.js'

/**
 * GetObject's and HeadObject's conditional requests and byte ranges, as S3 answers
 * them. Pure functions of the headers and the object's ETag, Last-Modified and size.
 */

/** The validators of one object. */
export interface Validators {
  /** Quoted. */
  readonly etag: string
  /** Epoch milliseconds (compared at whole seconds, as HTTP dates carry them). */
  readonly lastModified: number
}

/** The conditional headers of a request (GET/HEAD names or CopyObject's `x-amz-copy-source-if-*`). */
export interface Conditions {
  readonly ifMatch?: string | undefined
  readonly ifNoneMatch?: string | undefined
  readonly ifModifiedSince?: string | undefined
  readonly ifUnmodifiedSince?: string | undefined
}

/** What the conditions say: go on, 304 Not Modified, or 412 Precondition Failed. */
export type ConditionOutcome = 'ok' | 'not-modified' | 'failed'

const unquote = (s: string) =>
  s
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')

/** Whether an `If-Match`/`If-None-Match` list names the ETag (`*` names any). */
function etagListMatches(list: string, etag: string): boolean {
  const mine = unquote(etag)
  return list.split(',').some((t) => t.trim() === '*' || unquote(t) === mine)
}

/** An HTTP date as epoch seconds; undefined when it does not parse (S3 then ignores it). */
function httpDateSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const ms = Date.parse(v)
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000)
}

/**
 * Evaluates the conditions in S3's order: If-Match (false: 412; true: If-Unmodified-Since
 * is not consulted), else If-Unmodified-Since (modified after: 412); then If-None-Match
 * (matches: 304; does not: If-Modified-Since is not consulted), else If-Modified-Since
 * (not modified since: 304).
 */
export function evaluateConditions(c: Conditions, v: Validators): ConditionOutcome {
  const modified = Math.floor(v.lastModified / 1000)
  if (c.ifMatch !== undefined) {
    if (!etagListMatches(c.ifMatch, v.etag)) return 'failed'
  } else {
    const since = httpDateSeconds(c.ifUnmodifiedSince)
    if (since !== undefined && modified > since) return 'failed'
  }
  if (c.ifNoneMatch !== undefined)
    return etagListMatches(c.ifNoneMatch, v.etag) ? 'not-modified' : 'ok'
  const since = httpDateSeconds(c.ifModifiedSince)
  if (since !== undefined && modified <= since) return 'not-modified'
  return 'ok'
}

/** An inclusive byte range of an object. */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

/**
 * A `Range` header against an object of `size` bytes: undefined for the whole object
 * (no header, or one S3 ignores: several ranges, another unit, bad syntax), a range
 * clipped to the object, or InvalidRange (416) when it starts past the end.
 */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim())
  if (m === null) return undefined
  const [, a = '', b = ''] = m
  if (a === '' && b === '') return undefined
  if (a === '') {
    const n = Number(b)
    if (n === 0 || size === 0) throw invalidRange(size)
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(a)
  const end = b === '' ? Number.MAX_SAFE_INTEGER : Number(b)
  if (end < start) return undefined
  if (start >= size) throw invalidRange(size)
  return { start, end: Math.min(end, size - 1) }
}

function invalidRange(size: number) {
  return awsError(S3_ERRORS.InvalidRange, {
    reason: `range outside an object of ${String(size)} bytes`,
  })
}
