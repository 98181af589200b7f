import type { Store } from '../../store/index.js'
import type { S3ResourceLookup } from '../types.js'
import { bucketState, objectState } from './codec.js'

/** How the authoriser reads buckets and objects: straight from the store's S3 tables. */
export function createS3ResourceLookup(store: Store): S3ResourceLookup {
  return {
    bucket: (name) => {
      const r = store.s3Buckets.get(name)
      return r === undefined ? undefined : bucketState(r)
    },
    object: (bucket, key) => {
      const r = store.s3Objects.get(bucket, key)
      return r === undefined ? undefined : objectState(r)
    },
  }
}
