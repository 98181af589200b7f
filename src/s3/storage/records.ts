import {
  GenerationMemo,
  type S3BucketRecord,
  type S3ObjectRecord,
  type Store,
} from '../../store/index.js'

/** Bucket and object rows as the operations read them on their hot paths. */
export interface S3Records {
  bucket(name: string): S3BucketRecord | undefined
  object(bucket: string, key: string): S3ObjectRecord | undefined
}

/**
 * The store's bucket and object rows, reused while its generation stays the same
 * (`GenerationMemo`): GetObject and HeadObject of a hot object read no row; any write,
 * this process's or another's, applies to the very next request.
 */
export function createS3Records(store: Store): S3Records {
  const buckets = new GenerationMemo<S3BucketRecord>()
  const objects = new GenerationMemo<S3ObjectRecord>()
  return {
    bucket: (name) => buckets.get(name, store.generation(), () => store.s3Buckets.get(name)),
    // A bucket name has no newline, so `bucket\nkey` names one object.
    object: (bucket, key) =>
      objects.get(`${bucket}\n${key}`, store.generation(), () => store.s3Objects.get(bucket, key)),
  }
}
