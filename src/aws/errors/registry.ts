import { AwsError, isAwsError } from './aws-error.js'
import { COMMON_ERRORS } from './common.js'
import { EKS_ERRORS } from './eks.js'
import type { AwsErrorEntry } from './entry.js'
import { IAM_ERRORS } from './iam.js'
import { S3_ERRORS } from './s3.js'
import { STS_ERRORS } from './sts.js'

/** The surfaces with an error registry, as docs/errors.md names its sections. */
export type AwsErrorSurface = 'common' | 'sts' | 'iam' | 'eks' | 's3'

/** Every registry by surface, for documentation and exhaustive tests. */
export const AWS_ERROR_REGISTRIES: Readonly<
  Record<AwsErrorSurface, Readonly<Record<string, AwsErrorEntry>>>
> = {
  common: COMMON_ERRORS,
  sts: STS_ERRORS,
  iam: IAM_ERRORS,
  eks: EKS_ERRORS,
  s3: S3_ERRORS,
}

/**
 * Any thrown value as an {@link AwsError}: AwsErrors pass through; anything else is an
 * irsa bug or an infrastructure failure and becomes `InternalFailure` with AWS's generic
 * message. The original is kept as `cause` for the log, never sent.
 */
export function toAwsError(e: unknown): AwsError {
  if (isAwsError(e)) return e
  const entry = COMMON_ERRORS.InternalFailure
  return new AwsError(entry, entry.message, { reason: 'unexpected internal error', cause: e })
}

/** The REST-JSON (EKS) names of the Query protocol's common errors. */
const EKS_EQUIVALENT: Readonly<Partial<Record<string, AwsErrorEntry>>> = {
  AccessDenied: EKS_ERRORS.AccessDeniedException,
  ExpiredToken: EKS_ERRORS.ExpiredTokenException,
  IncompleteSignature: EKS_ERRORS.IncompleteSignatureException,
  InternalFailure: EKS_ERRORS.ServerException,
  InvalidAction: EKS_ERRORS.NotFoundException,
  InvalidClientTokenId: EKS_ERRORS.UnrecognizedClientException,
  InvalidParameterValue: EKS_ERRORS.InvalidParameterException,
  MalformedQueryString: EKS_ERRORS.BadRequestException,
  MissingAction: EKS_ERRORS.NotFoundException,
  MissingAuthenticationToken: EKS_ERRORS.MissingAuthenticationTokenException,
  MissingParameter: EKS_ERRORS.InvalidParameterException,
  RequestEntityTooLarge: EKS_ERRORS.RequestEntityTooLargeException,
  RequestExpired: EKS_ERRORS.InvalidSignatureException,
  ServiceUnavailable: EKS_ERRORS.ServiceUnavailableException,
  SignatureDoesNotMatch: EKS_ERRORS.InvalidSignatureException,
  Throttling: EKS_ERRORS.ThrottlingException,
  ValidationError: EKS_ERRORS.InvalidParameterException,
}

/** Query-only codes whose message has no REST-JSON counterpart: the EKS default is used. */
const EKS_OWN_MESSAGE = new Set(['InvalidAction', 'MissingAction', 'MissingAuthenticationToken'])

/**
 * A common (Query) error as EKS's REST-JSON front end names it: `InvalidClientTokenId`
 * becomes `UnrecognizedClientException`, `SignatureDoesNotMatch` (skew messages
 * included) becomes `InvalidSignatureException`, `InternalFailure` `ServerException`.
 * EKS's own errors pass through; the reason and cause are kept.
 */
export function toEksError(e: AwsError): AwsError {
  if (Object.values(EKS_ERRORS).some((entry) => entry === e.entry)) return e
  const target = EKS_EQUIVALENT[e.code]
  if (target === undefined) return e
  const message = EKS_OWN_MESSAGE.has(e.code) ? target.message : e.message
  return new AwsError(target, message, { reason: e.reason, cause: e.cause })
}
