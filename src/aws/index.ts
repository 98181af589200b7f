export { createAwsApp, HEALTH_PATH } from './app.js'
export type { AwsApp, AwsAppDeps, AwsAppLimits, AwsHttpRequest, Refusal } from './app.js'
export { startAwsServer } from './server.js'
export type { AwsServer } from './server.js'
export type {
  AuthMode,
  Caller,
  LogFields,
  QueryAction,
  QueryContext,
  RestContext,
  RestResult,
  RestRoute,
} from './handlers.js'
export { AWS_SERVICES, SERVICE_PROTOCOLS, isAwsService } from './services.js'
export type { AwsService, ServiceProtocol } from './services.js'
export {
  routeService,
  scopeService,
  hostService,
  isEksPath,
  UNSIGNED_STS_ACTIONS,
} from './routing.js'
export type { RouteInput, RoutedBy, ServiceRoute } from './routing.js'

export { AwsError, awsError, isAwsError } from './errors/aws-error.js'
export type { AwsErrorOptions } from './errors/aws-error.js'
export { formatMessage, placeholdersOf } from './errors/entry.js'
export type { AwsErrorEntry, AwsFault, Placeholders, TemplateParams } from './errors/entry.js'
export { COMMON_ERRORS } from './errors/common.js'
export { STS_ERRORS } from './errors/sts.js'
export { IAM_ERRORS } from './errors/iam.js'
export { EKS_ERRORS } from './errors/eks.js'
export { AWS_ERROR_REGISTRIES, toAwsError, toEksError } from './errors/registry.js'
export type { AwsErrorSurface } from './errors/registry.js'

export { parseForm, percentDecode } from './query/form.js'
export type { FormPair } from './query/form.js'
export { QueryParams } from './query/params.js'
export type { MapShape } from './query/params.js'
export { QueryValidation, memberName } from './query/validate.js'
export type { IntRule, ListRule, StringRule } from './query/validate.js'

export { struct, list, map, timestamp, iso8601Seconds, epochSecondsOf } from './render/result.js'
export type {
  ResultValue,
  ResultStruct,
  ResultList,
  ResultMap,
  ResultTimestamp,
} from './render/result.js'
export { escapeXml, renderQueryXml, renderErrorXml, renderXmlElement } from './render/xml.js'
export {
  toJsonValue,
  renderQueryJson,
  renderErrorJson,
  renderRestJson,
  renderRestJsonError,
} from './render/json.js'
export type { JsonValue } from './render/json.js'
export {
  errorResponse,
  querySuccess,
  restSuccess,
  wantsJson,
  REQUEST_ID_HEADER,
} from './http/respond.js'
export type { AwsHttpResponse } from './http/respond.js'
export { DEFAULT_MAX_BODY_BYTES } from './http/body.js'
export { timeOrderedRequestIds } from './http/request-id.js'

export { verifySigV4, MAX_SKEW_MS } from './sigv4/verify.js'
export type {
  CredentialLookup,
  CredentialLookupResult,
  SigV4Identity,
  VerifyOptions,
} from './sigv4/verify.js'
export { parseSigV4Auth, isSigned } from './sigv4/authorization.js'
export type { SigV4Auth, SigV4Request, CredentialScope } from './sigv4/authorization.js'
export {
  ALGORITHM,
  UNSIGNED_PAYLOAD,
  canonicalUri,
  canonicalQuery,
  canonicalHeaders,
  canonicalHeaderValue,
  canonicalRequest,
  stringToSign,
  uriEscape,
  sha256Hex,
} from './sigv4/canonical.js'
export type { HeaderValues, CanonicalRequestParts } from './sigv4/canonical.js'
export { deriveSigningKey, SigningKeyCache } from './sigv4/signing-key.js'
export { parseAmzDate, formatAmzDate } from './sigv4/amz-date.js'
