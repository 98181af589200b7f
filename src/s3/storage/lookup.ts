import type { S3ResourceLookup } from '../types.js'
import { bucketState, objectState } from './codec.js'
import type { S3Records } from './records.js'

/** `decode` remembered per row object (rows are immutable; a changed row is a new one). */
function decodedOnce<R extends object, S>(
  decode: (row: R) => S,
): (row: R | undefined) => S | undefined {
  const decoded = new WeakMap<R, S>()
  return (row) => {
    if (row === undefined) return undefined
    const known = decoded.get(row)
    if (known !== undefined) return known
    const state = decode(row)
    decoded.set(row, state)
    return state
  }
}

/**
 * How the authoriser reads buckets and objects: the rows the operations read (memoised
 * per store generation, see `createS3Records`), each decoded once: a stream of requests
 * for one object costs no row read and no JSON decoding; any write applies to the very
 * next request, whose row is a new object.
 */
export function createS3ResourceLookup(records: S3Records): S3ResourceLookup {
  const bucket = decodedOnce(bucketState)
  const object = decodedOnce(objectState)
  return {
    bucket: (name) => bucket(records.bucket(name)),
    object: (name, key) => object(records.object(name, key)),
  }
}
