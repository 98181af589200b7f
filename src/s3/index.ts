export { createS3App } from './app.js'
export type { S3AppDeps, S3Refusal } from './app.js'
export { authenticateS3, toS3AuthError } from './sigv4.js'
export type { S3Auth, S3SignedHead, S3VerifyDeps } from './sigv4.js'
export { resolveOperation } from './http/operation.js'
export type { OperationInput } from './http/operation.js'
export { resolveTarget, virtualHostBucket, DEFAULT_HOST_SUFFIXES } from './http/address.js'
export { crc32c, newDigest, checksumAlgorithm, checksumHeader } from './http/checksum.js'
export type { Digest } from './http/checksum.js'
export { AwsChunkedDecoder } from './http/chunked.js'
export type { ChunkedMode } from './http/chunked.js'
export { wireBody } from './http/body.js'
export type { BodyPlan, ChecksumPlan, PayloadCheck, WireBody } from './http/body.js'
export { bodyPlan } from './http/plan.js'
export { renderS3ErrorXml, hostId, REQUEST_ID_HEADER, HOST_ID_HEADER } from './http/respond.js'
export type * from './types.js'
export {
  createS3Authorizer,
  decideS3,
  S3_OPERATION_AUTH,
  s3ResourceArn,
  s3ConditionKeys,
  createS3PolicyRules,
  validateBucketPolicy,
  isPublicPolicy,
  isPublicAcl,
  S3_POLICY_MESSAGES,
  loadS3ActionNames,
} from './authorize/index.js'
export type {
  S3AuthorizerDeps,
  S3DecisionInput,
  S3Requester,
  S3Verdict,
  S3PolicyType,
  S3OperationAuth,
  S3ResourceKind,
  S3AclNeed,
  S3RequestKey,
} from './authorize/index.js'

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
