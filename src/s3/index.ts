export type {
  S3Operation,
  S3Headers,
  S3Body,
  S3ChecksumAlgorithm,
  S3Target,
  S3AuthQuestion,
  S3Authorize,
  S3OpContext,
  S3ResponseBody,
  S3Result,
  S3Handler,
  S3Handlers,
  S3Grantee,
  S3Grant,
  S3Acl,
  S3PublicAccessBlock,
  S3ObjectOwnership,
  S3BucketState,
  S3ObjectState,
  S3ResourceLookup,
  S3PolicyRules,
} from './types.js'

export { createS3Handlers, createS3Operations } from './ops/handlers.js'
export type { S3Operations } from './ops/handlers.js'
export type { S3OpsDeps, S3Identity } from './ops/env.js'
export { isValidBucketName } from './ops/buckets.js'
export { createS3ResourceLookup } from './storage/lookup.js'
export { createS3Files } from './storage/files.js'
export type { S3Files, S3FileLayout, WrittenFile } from './storage/files.js'
export { parseXml, XmlSyntaxError } from './xml/parse.js'
export type { XmlElement } from './xml/parse.js'
export { renderS3Xml, S3_XMLNS } from './xml/render.js'
export type { XmlNode, XmlContent } from './xml/render.js'
