import { awsError, S3_ERRORS, type Caller } from '../../aws/index.js'
import type { S3BucketRecord, S3ObjectRecord, Store } from '../../store/index.js'
import type { S3Files } from '../storage/files.js'
import type { S3Records } from '../storage/records.js'
import type { S3OpContext, S3PolicyRules } from '../types.js'
import { parseXml, XmlSyntaxError, type XmlElement } from '../xml/parse.js'

/** Who a signed caller is, as the operations need it: the account (owner) and the ARN. */
export interface S3Identity {
  readonly accountId: string
  readonly arn: string
}

/** What {@link createS3Handlers} is built from. */
export interface S3OpsDeps<P> {
  readonly store: Store
  /** The data directory (the store's, normally); object files go under `DIR/s3`. */
  readonly dataDir: string
  /** The authoriser's bucket-policy and ACL rules. */
  readonly policyRules: S3PolicyRules
  /**
   * A signed caller's account (the owner of what it creates) and ARN (a multipart
   * upload's initiator). Anonymous requests never reach it: their writes are owned by
   * the bucket owner. Times come from `ctx.nowMs` (the wire's injected clock).
   */
  readonly identify: (caller: Caller<P>) => S3Identity
}

/** What every operation shares: the deps, the file store, small helpers. */
export interface S3Env<P> {
  readonly store: Store
  /** The rows of `store`, generation-memoised: what the hot paths read. */
  readonly records: S3Records
  readonly files: S3Files
  readonly rules: S3PolicyRules
  readonly identify: (caller: Caller<P> | undefined) => S3Identity | undefined
}

/** A single-valued header (the first value), or undefined. */
export function header(ctx: { readonly headers: S3OpContext<unknown>['headers'] }, name: string) {
  return ctx.headers[name]?.[0]
}

/** The bucket the request names (the wire resolved it); NoSuchBucket when absent. */
export function requireBucket<P>(env: S3Env<P>, ctx: S3OpContext<P>): S3BucketRecord {
  const name = ctx.target.bucket ?? ''
  const bucket = env.records.bucket(name)
  if (bucket === undefined) throw awsError(S3_ERRORS.NoSuchBucket, { reason: `no bucket ${name}` })
  return bucket
}

/** The key the request names. */
export function keyOf<P>(ctx: S3OpContext<P>): string {
  const key = ctx.target.key
  if (key === undefined || key === '')
    throw awsError(S3_ERRORS.InvalidRequest, { reason: 'an object operation without a key' })
  return key
}

/** The object the request names; NoSuchKey when absent. */
export function requireObject<P>(env: S3Env<P>, ctx: S3OpContext<P>): S3ObjectRecord {
  const bucket = requireBucket(env, ctx)
  const key = keyOf(ctx)
  const object = env.records.object(bucket.name, key)
  if (object === undefined)
    throw awsError(S3_ERRORS.NoSuchKey, { reason: `no key in ${bucket.name}` })
  return object
}

/** The signed caller's identity; AccessDenied for an anonymous one (the authoriser should have refused). */
export function requireIdentity<P>(env: S3Env<P>, ctx: S3OpContext<P>): S3Identity {
  const id = env.identify(ctx.caller)
  if (id === undefined)
    throw awsError(S3_ERRORS.AccessDenied, { reason: 'anonymous caller for an owner operation' })
  return id
}

/** S3's limit on configuration documents it reads whole. */
export const MAX_CONFIG_BODY = 1024 * 1024

/** Reads a small request body whole (a configuration document); MaxMessageLengthExceeded past `limit`. */
export async function readSmallBody<P>(
  ctx: S3OpContext<P>,
  limit = MAX_CONFIG_BODY,
): Promise<string> {
  if (ctx.body.length !== undefined && ctx.body.length > limit)
    throw awsError(S3_ERRORS.MaxMessageLengthExceeded)
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of ctx.body) {
    size += chunk.byteLength
    if (size > limit) throw awsError(S3_ERRORS.MaxMessageLengthExceeded)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Reads and parses an XML body whose root must be `root`; MalformedXML otherwise. */
export async function readXml<P>(ctx: S3OpContext<P>, root: string): Promise<XmlElement> {
  const text = await readSmallBody(ctx)
  return parseXmlDocument(text, root)
}

/** Parses an XML document whose root must be `root`; MalformedXML otherwise. */
export function parseXmlDocument(text: string, root: string): XmlElement {
  try {
    const doc = parseXml(text)
    if (doc.name !== root) throw new XmlSyntaxError(`root is ${doc.name}, not ${root}`)
    return doc
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e
    throw awsError(S3_ERRORS.MalformedXML, { reason: e.message })
  }
}

/** A MalformedXML error for a document of the right shape but wrong content. */
export function malformed(reason: string) {
  return awsError(S3_ERRORS.MalformedXML, { reason })
}

/** An XML boolean as S3 reads one: `true`/`false` (any case); anything else is malformed. */
export function xmlBoolean(text: string | undefined, fallback = false): boolean {
  if (text === undefined) return fallback
  const t = text.toLowerCase()
  if (t === 'true') return true
  if (t === 'false') return false
  throw malformed(`not a boolean: ${text.slice(0, 20)}`)
}

/** The XML response headers S3 sends with a document. */
export const XML_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/xml' }
