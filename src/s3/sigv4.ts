import {
  AwsError,
  awsError,
  headerValue,
  isAwsError,
  queryParam,
  S3_ERRORS,
  UNSIGNED_PAYLOAD,
  verifySigV4,
  type Caller,
  type CredentialLookup,
  type HeaderValues,
  type SigningKeyCache,
  type SignatureChain,
} from '../aws/index.js'
import type { Clock } from '../core/index.js'

/** The request head S3's SigV4 reads (the body is streamed and checked later). */
export interface S3SignedHead {
  readonly method: string
  /** The path as sent, still percent-encoded. */
  readonly path: string
  readonly query: string
  readonly headers: HeaderValues
}

/** How a request was authenticated. */
export type S3Auth<P> =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'header' | 'presigned'
      readonly caller: Caller<P>
      /** The declared payload hash (`x-amz-content-sha256`), as signed. */
      readonly payloadHash: string
      readonly chain: SignatureChain
    }

/** What S3's verification needs. */
export interface S3VerifyDeps<P> {
  readonly credentials: CredentialLookup<P>
  readonly clock: Clock
  readonly keyCache: SigningKeyCache
  readonly maxSkewMs?: number | undefined
}

/** True when a request carries a SigV4 signature (header or presigned query). */
function isSigned(head: S3SignedHead): boolean {
  return (
    headerValue(head.headers, 'authorization') !== undefined ||
    queryParam(head.query, 'X-Amz-Credential') !== undefined ||
    queryParam(head.query, 'X-Amz-Signature') !== undefined ||
    queryParam(head.query, 'X-Amz-Algorithm') !== undefined
  )
}

/** True for S3's legacy Signature Version 2 (`Authorization: AWS id:sig`, `?AWSAccessKeyId=…&Signature=…`). */
function isSigV2(head: S3SignedHead): boolean {
  const auth = headerValue(head.headers, 'authorization')
  if (auth !== undefined) return auth.startsWith('AWS ')
  return (
    queryParam(head.query, 'AWSAccessKeyId') !== undefined &&
    queryParam(head.query, 'Signature') !== undefined
  )
}

/**
 * The payload hash a header-signed S3 request signs with: its `x-amz-content-sha256`,
 * which S3 requires (`MissingSecurityHeader`). Presigned URLs sign `UNSIGNED-PAYLOAD`.
 */
function declaredPayloadHash(head: S3SignedHead, presigned: boolean): string {
  const declared = headerValue(head.headers, 'x-amz-content-sha256')
  if (presigned) return declared ?? UNSIGNED_PAYLOAD
  if (declared === undefined)
    throw awsError(S3_ERRORS.MissingSecurityHeader, {
      reason: 'a header-signed S3 request without x-amz-content-sha256',
    })
  return declared
}

/** The S3 error for a failure of the shared SigV4 verifier (which speaks Query's codes). */
export function toS3AuthError(e: AwsError, presigned: boolean, withToken: boolean): AwsError {
  const keep = { reason: e.reason, cause: e.cause }
  switch (e.code) {
    case 'InvalidClientTokenId':
      return withToken
        ? awsError(S3_ERRORS.InvalidToken, keep)
        : awsError(S3_ERRORS.InvalidAccessKeyId, keep)
    case 'ExpiredToken':
      return awsError(S3_ERRORS.ExpiredToken, keep)
    case 'RequestExpired':
      return awsError(S3_ERRORS.AccessDenied, { variant: 'expired', ...keep })
    case 'IncompleteSignature':
      return presigned
        ? awsError(S3_ERRORS.AuthorizationQueryParametersError, {
            params: { detail: e.message },
            ...keep,
          })
        : awsError(S3_ERRORS.AuthorizationHeaderMalformed, {
            params: { detail: e.message },
            ...keep,
          })
    case 'SignatureDoesNotMatch':
      if (/^Signature (expired|not yet current)/.test(e.message))
        return awsError(S3_ERRORS.RequestTimeTooSkewed, keep)
      if (/^Credential should be scoped|^Date in Credential scope/.test(e.message))
        return awsError(S3_ERRORS.AuthorizationHeaderMalformed, {
          params: { detail: e.message },
          ...keep,
        })
      return awsError(S3_ERRORS.SignatureDoesNotMatch, keep)
    default:
      return e
  }
}

/**
 * Authenticates an S3 request from its head: anonymous when it carries no signature;
 * otherwise SigV4 with S3's rules (the canonical URI is the path as sent; the payload
 * hash is `x-amz-content-sha256`, required on header-signed requests; presigned URLs
 * sign `UNSIGNED-PAYLOAD` and are good until `X-Amz-Date + X-Amz-Expires`). Failures are
 * S3's codes: `InvalidAccessKeyId`, `InvalidToken`, `ExpiredToken`,
 * `SignatureDoesNotMatch`, `RequestTimeTooSkewed`, `AccessDenied` (expired presigned
 * URL), `AuthorizationHeaderMalformed`, `AuthorizationQueryParametersError`.
 */
export async function authenticateS3<P>(
  head: S3SignedHead,
  deps: S3VerifyDeps<P>,
): Promise<S3Auth<P>> {
  if (isSigV2(head))
    throw awsError(S3_ERRORS.InvalidRequest, {
      variant: 'sigv2',
      reason: 'a Signature Version 2 request',
    })
  if (!isSigned(head)) return { kind: 'anonymous' }
  const presigned = headerValue(head.headers, 'authorization') === undefined
  const withToken =
    headerValue(head.headers, 'x-amz-security-token') !== undefined ||
    queryParam(head.query, 'X-Amz-Security-Token') !== undefined
  const payloadHash = declaredPayloadHash(head, presigned)
  try {
    const id = await verifySigV4(
      { ...head, body: new Uint8Array(0) },
      deps.credentials,
      deps.clock,
      {
        service: 's3',
        keyCache: deps.keyCache,
        uri: 'raw',
        payloadHash,
        ...(deps.maxSkewMs !== undefined ? { maxSkewMs: deps.maxSkewMs } : {}),
      },
    )
    return {
      kind: presigned ? 'presigned' : 'header',
      caller: {
        accessKeyId: id.accessKeyId,
        region: id.region,
        principal: id.principal,
        withSessionToken: id.withSessionToken,
        presigned: id.presigned,
      },
      payloadHash,
      chain: id.chain,
    }
  } catch (e) {
    throw isAwsError(e) ? toS3AuthError(e, presigned, withToken) : e
  }
}
