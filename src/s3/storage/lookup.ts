import { GenerationMemo, type Store } from '../../store/index.js'
import type { S3BucketState, S3ObjectState, S3ResourceLookup } from '../types.js'
import { bucketState, objectState } from './codec.js'

/**
 * How the authoriser reads buckets and objects: from the store's S3 tables, decoded once
 * and reused while the store's generation stays the same (`GenerationMemo`), so a stream
 * of reads of one object costs no row read or JSON decoding; any write applies to the
 * very next request.
 */
export function createS3ResourceLookup(store: Store): S3ResourceLookup {
  const buckets = new GenerationMemo<S3BucketState>()
  const objects = new GenerationMemo<S3ObjectState>()
  return {
    bucket: (name) =>
      buckets.get(name, store.generation(), () => {
        const r = store.s3Buckets.get(name)
        return r === undefined ? undefined : bucketState(r)
      }),
    // A bucket name has no newline, so `bucket\nkey` names one object.
    object: (bucket, key) =>
      objects.get(`${bucket}\n${key}`, store.generation(), () => {
        const r = store.s3Objects.get(bucket, key)
        return r === undefined ? undefined : objectState(r)
      }),
  }
}
