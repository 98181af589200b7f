export { createAwsApp } from './app.js'
export type { AwsApp, AwsHttpRequest, Refusal, S3Hook } from './app.js'
export { isSecureTransport, startAwsServer } from './server.js'
export type { AwsServer } from './server.js'
export type {
  Caller,
  LogFields,
  QueryAction,
  QueryContext,
  RestContext,
  RestRoute,
} from './handlers.js'
export { routeService, isS3Host, isS3Request } from './routing.js'
export { splitTarget } from './http/request.js'
export { httpDateFormatter } from './http/date.js'
export { scrub } from './http/log-line.js'

export { AwsError, awsError, isAwsError } from './errors/aws-error.js'
export { formatMessage, placeholdersOf } from './errors/entry.js'
export type { AwsErrorEntry } from './errors/entry.js'
export { COMMON_ERRORS } from './errors/common.js'
export { STS_ERRORS } from './errors/sts.js'
export { IAM_ERRORS } from './errors/iam.js'
export { EKS_ERRORS } from './errors/eks.js'
export { S3_ERRORS } from './errors/s3.js'
export { AWS_ERROR_REGISTRIES, toAwsError, toEksError } from './errors/registry.js'
export type { AwsErrorSurface } from './errors/registry.js'

export { parseForm } from './query/form.js'
export { QueryParams } from './query/params.js'
export { QueryValidation } from './query/validate.js'
export type { ListRule, StringRule } from './query/validate.js'

export { struct, list, map, timestamp, iso8601Seconds } from './render/result.js'
export type { ResultValue, ResultStruct, ResultList } from './render/result.js'
export { escapeXml, renderQueryXml, renderErrorXml, renderXmlElement } from './render/xml.js'
export {
  toJsonValue,
  renderQueryJson,
  renderErrorJson,
  renderRestJson,
  renderRestJsonError,
} from './render/json.js'
export { errorResponse } from './http/respond.js'
export { timeOrderedRequestIds } from './http/request-id.js'

export { verifySigV4 } from './sigv4/verify.js'
export type { CredentialLookup, SignatureChain } from './sigv4/verify.js'
export type { SigV4Request } from './sigv4/authorization.js'
export { headerValue, queryParam } from './sigv4/authorization.js'
export type { HeaderValues } from './sigv4/canonical.js'
export { UNSIGNED_PAYLOAD } from './sigv4/canonical.js'
export {
  canonicalHeaders,
  canonicalQueryValue,
  canonicalRequest,
  stringToSign,
  sha256Hex,
} from './sigv4/canonical.js'
export { deriveSigningKey, SigningKeyCache } from './sigv4/signing-key.js'
export { parseAmzDate, formatAmzDate } from './sigv4/amz-date.js'
