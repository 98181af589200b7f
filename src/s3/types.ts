import type { Caller, LogFields } from '../aws/index.js'

/**
 * The contract between S3's three layers, so each can be built and tested alone:
 *
 * - the wire (`app.ts`, `http/`): addressing, SigV4 (header, presigned, `aws-chunked`),
 *   the operation a request names, checksums, streaming bodies, S3's XML errors;
 * - the authoriser (`authorize/`): an {@link S3AuthQuestion} to a decision, with the
 *   policy engine, the bucket policy, Block Public Access and Object Ownership;
 * - the operations (`ops/`, `storage/`): buckets and objects on disk and in the store.
 *
 * The wire resolves the operation, asks the authoriser before reading any body, then
 * calls the operation's handler with an {@link S3OpContext}.
 */

/** The S3 operations irsa serves, by their API names. */
export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'ListObjectsV2'
  | 'ListObjects'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'CopyObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads'
  | 'GetBucketPolicy'
  | 'PutBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'GetPublicAccessBlock'
  | 'PutPublicAccessBlock'
  | 'DeletePublicAccessBlock'
  | 'GetBucketOwnershipControls'
  | 'PutBucketOwnershipControls'
  | 'DeleteBucketOwnershipControls'
  | 'GetObjectAcl'
  | 'PutObjectAcl'
  | 'GetBucketAcl'
  | 'PutBucketAcl'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'

/** Header values by lower-case name, every value kept (node's `headersDistinct`). */
export type S3Headers = Readonly<Record<string, readonly string[] | undefined>>

/**
 * A request body, decoded: `aws-chunked` framing removed and chunk signatures checked
 * by the wire. Reading it to the end also checks the payload's declared hashes
 * (`x-amz-content-sha256`, `Content-MD5`, `x-amz-checksum-*`, trailing checksums) and
 * throws S3's error (`XAmzContentSHA256Mismatch`, `BadDigest`, `InvalidRequest`) on a
 * mismatch, before the iterator reports its end: a writer that commits only after a
 * clean end never commits a bad body.
 */
export interface S3Body extends AsyncIterable<Uint8Array> {
  /** The decoded length when the client declared it (`x-amz-decoded-content-length` or `Content-Length`). */
  readonly length: number | undefined
  /**
   * The flexible checksum the client sent or will send in a trailer, once the body has
   * been read to the end: algorithm (`CRC32`, `CRC32C`, `SHA1`, `SHA256`) and its
   * base64 value. Undefined when the client sent none.
   */
  checksum(): { readonly algorithm: S3ChecksumAlgorithm; readonly value: string } | undefined
  /** The body's MD5, hex, once read to the end (the ETag of a single-part object). */
  md5Hex(): string
}

/** The flexible checksum algorithms S3 stores and returns. */
export type S3ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256'

/** What a request is about, as the wire found it. */
export interface S3Target {
  /** Undefined for ListBuckets. */
  readonly bucket: string | undefined
  /** The object key, decoded; undefined for bucket operations. */
  readonly key: string | undefined
  /** `path` (`/bucket/key`) or `virtual` (`bucket.s3.localhost/key`). */
  readonly addressing: 'path' | 'virtual'
}

/** One authorisation question the wire (or an operation, for CopyObject's source) asks. */
export interface S3AuthQuestion<P> {
  readonly requestId: string
  readonly operation: S3Operation
  readonly target: S3Target
  /** The signed caller; undefined for an anonymous request. */
  readonly caller: Caller<P> | undefined
  /** The request's headers (for `s3:x-amz-acl`, `s3:x-amz-server-side-encryption`…). */
  readonly headers: S3Headers
  /** The query string's parameters (for `s3:prefix`, `s3:delimiter`, `s3:max-keys`…). */
  readonly query: ReadonlyMap<string, string>
  readonly sourceIp: string | undefined
  /** Whether the request came over TLS (`aws:SecureTransport`). */
  readonly secure: boolean
  /** The epoch ms of the request, from the injected clock. */
  readonly nowMs: number
  /**
   * CopyObject asks twice: once as itself for the destination, once with this set for
   * the source object (`s3:GetObject` on the source ARN).
   */
  readonly copySource?: { readonly bucket: string; readonly key: string } | undefined
}

/**
 * Decides one question. Returns nothing when allowed; throws S3's `AccessDenied`
 * (403, AWS's current wording naming principal, action, resource and reason) otherwise.
 * Records every decision in the decision log.
 */
export type S3Authorize<P> = (question: S3AuthQuestion<P>) => void

/** What an operation handler is given. */
export interface S3OpContext<P> {
  readonly requestId: string
  readonly operation: S3Operation
  readonly target: S3Target
  readonly caller: Caller<P> | undefined
  readonly headers: S3Headers
  readonly query: ReadonlyMap<string, string>
  readonly body: S3Body
  readonly sourceIp: string | undefined
  readonly secure: boolean
  readonly nowMs: number
  /** The credential scope's region, or the endpoint's default region. */
  readonly region: string
  /** Asks a further question (CopyObject's source); throws AccessDenied. */
  readonly authorize: (
    question: Omit<
      S3AuthQuestion<P>,
      'requestId' | 'caller' | 'headers' | 'query' | 'sourceIp' | 'secure' | 'nowMs'
    >,
  ) => void
  readonly annotate: (fields: LogFields) => void
}

/** A response body: text (XML), bytes, or a stream (GetObject from disk). */
export type S3ResponseBody = string | Uint8Array | AsyncIterable<Uint8Array>

/** What an operation answers; the wire adds `x-amz-request-id`, `x-amz-id-2` and `Date`. */
export interface S3Result {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: S3ResponseBody
}

/** One operation's handler. Throws an `AwsError` from the S3 registry to refuse. */
export type S3Handler<P> = (ctx: S3OpContext<P>) => Promise<S3Result>

/** Every operation's handler, as the operations layer exports them to the wire. */
export type S3Handlers<P> = Readonly<Record<S3Operation, S3Handler<P>>>

/** An ACL grantee: everyone, any signed AWS caller, or one account (canonical id = account id here). */
export type S3Grantee =
  | { readonly kind: 'AllUsers' }
  | { readonly kind: 'AuthenticatedUsers' }
  | { readonly kind: 'LogDelivery' }
  | { readonly kind: 'Account'; readonly accountId: string }

/** One ACL grant. */
export interface S3Grant {
  readonly grantee: S3Grantee
  readonly permission: 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL'
}

/** An ACL: its owner account and grants (a canned ACL is expanded into grants). */
export interface S3Acl {
  readonly ownerAccountId: string
  readonly grants: readonly S3Grant[]
}

/** Block Public Access, per bucket (absent settings are false, as S3 reads them). */
export interface S3PublicAccessBlock {
  readonly blockPublicAcls: boolean
  readonly ignorePublicAcls: boolean
  readonly blockPublicPolicy: boolean
  readonly restrictPublicBuckets: boolean
}

/** Object Ownership. New buckets get `BucketOwnerEnforced` (ACLs disabled), as on AWS since 2023. */
export type S3ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter'

/** What the authoriser needs to know of a bucket. */
export interface S3BucketState {
  readonly name: string
  readonly ownerAccountId: string
  readonly region: string
  /** The bucket policy document as stored, if any. */
  readonly policy: string | undefined
  /** Undefined when the bucket has no Block Public Access configuration. */
  readonly publicAccessBlock: S3PublicAccessBlock | undefined
  /** Undefined when the bucket has no ownership controls (then ACLs apply: ObjectWriter). */
  readonly ownership: S3ObjectOwnership | undefined
  readonly acl: S3Acl
}

/** What the authoriser needs to know of an object. */
export interface S3ObjectState {
  readonly acl: S3Acl
  readonly tags: readonly { readonly key: string; readonly value: string }[]
}

/**
 * How the authoriser reads state it does not own (the operations layer owns the
 * store's S3 tables): undefined for a bucket or object that does not exist.
 */
export interface S3ResourceLookup {
  bucket(name: string): S3BucketState | undefined
  object(bucket: string, key: string): S3ObjectState | undefined
}

/**
 * The bucket-policy rules the operations layer needs from the authoriser, injected so
 * the two are built apart: PutBucketPolicy validates the document (S3's
 * `MalformedPolicy` messages) and refuses a public one under BlockPublicPolicy.
 */
export interface S3PolicyRules {
  /** Throws S3's `MalformedPolicy` for a document that is not a valid policy for `bucket`. */
  validate(document: string, bucket: string): void
  /** Whether a bucket policy is public by S3's definition (Block Public Access). */
  isPublic(document: string): boolean
  /** Whether an ACL is public by S3's definition (grants AllUsers or AuthenticatedUsers). */
  isPublicAcl(acl: S3Acl): boolean
}
