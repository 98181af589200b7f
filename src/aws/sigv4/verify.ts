import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../core/index.js'
import { awsError } from '../errors/aws-error.js'
import { COMMON_ERRORS } from '../errors/common.js'
import { formatAmzDate } from './amz-date.js'
import {
  parseSigV4Auth,
  headerValue,
  queryParam,
  type SigV4Auth,
  type SigV4Request,
} from './authorization.js'
import {
  canonicalHeaders,
  canonicalRequest,
  sha256Hex,
  stringToSign,
  UNSIGNED_PAYLOAD,
} from './canonical.js'
import { SigningKeyCache } from './signing-key.js'

/** What a credential lookup answers for an access key id (and session token, if any). */
type CredentialLookupResult<P> =
  | { readonly status: 'found'; readonly secretAccessKey: string; readonly principal: P }
  /** No such key, or a session token that does not decrypt or belongs to another key. */
  | { readonly status: 'unknown'; readonly reason?: string }
  /** Session credentials whose session has ended. */
  | { readonly status: 'expired'; readonly reason?: string }

/**
 * Finds the secret for a request's access key id. Session credentials come with their
 * `X-Amz-Security-Token`, which the lookup must check belongs to the key. Neither the
 * token nor the secret is ever logged by the caller.
 */
export type CredentialLookup<P> = (key: {
  readonly accessKeyId: string
  readonly sessionToken: string | undefined
}) => CredentialLookupResult<P> | Promise<CredentialLookupResult<P>>

/** Who signed a verified request. */
interface SigV4Identity<P> {
  readonly accessKeyId: string
  readonly region: string
  readonly service: string
  readonly principal: P
  /** Whether session credentials (`X-Amz-Security-Token`) were used. */
  readonly withSessionToken: boolean
  readonly presigned: boolean
  /** When the request says it was signed (epoch ms). */
  readonly signedAtMs: number
  /**
   * What a chained signature (S3's `aws-chunked` chunks and trailer) continues from:
   * the verified seed signature, the request time, the scope and the derived key.
   * Never logged.
   */
  readonly chain: SignatureChain
}

/** The state a chunk signature is computed from; the key is secret material. */
export interface SignatureChain {
  readonly seedSignature: string
  readonly amzDate: string
  /** `date/region/service/aws4_request`. */
  readonly scope: string
  readonly signingKey: Uint8Array
}

/** Tuning of {@link verifySigV4}. */
interface VerifyOptions {
  /** The service the request is for; a scope naming another is refused. */
  readonly service?: string
  /** Allowed clock difference, both directions (default and AWS: 15 minutes). */
  readonly maxSkewMs?: number
  /** Derived signing keys, shared across requests (a default cache is used otherwise). */
  readonly keyCache?: SigningKeyCache
  /** The canonical URI rule (S3: `raw`, the path as sent); see `canonicalRequest`. */
  readonly uri?: 'normalized' | 'raw'
  /**
   * The payload hash to sign with, when the caller knows it (S3: the
   * `x-amz-content-sha256` value, or `UNSIGNED-PAYLOAD` when presigned); by default
   * `UNSIGNED-PAYLOAD` when declared, else the body's SHA-256.
   */
  readonly payloadHash?: string
}

/** AWS's request time window: a signature is good 15 minutes either side of now. */
const MAX_SKEW_MS = 15 * 60 * 1000

const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/
const HEX_SIGNATURE = /^[0-9a-f]{64}$/
const defaultKeyCache = new SigningKeyCache()

function checkScope(auth: SigV4Auth, service: string | undefined): void {
  const { scope } = auth
  if (scope.terminator !== 'aws4_request')
    throw awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      variant: 'scopeTerminator',
      params: { terminator: scope.terminator },
    })
  if (service !== undefined && scope.service !== service)
    throw awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      variant: 'scopeService',
      params: { service },
      reason: `credential scope names service ${scope.service}`,
    })
  if (!REGION.test(scope.region) || scope.region.length > 32)
    throw awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      variant: 'scopeRegion',
      params: { region: scope.region.slice(0, 64) },
    })
  const date = auth.amzDate.slice(0, 8)
  if (scope.date !== date)
    throw awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      variant: 'scopeDate',
      params: { scopeDate: scope.date, date, amzDate: auth.amzDate },
    })
}

function checkTime(auth: SigV4Auth, nowMs: number, skewMs: number): void {
  const minutes = Math.round(skewMs / 60000)
  if (auth.signedAtMs > nowMs + skewMs)
    throw awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      variant: 'notYetCurrent',
      params: {
        signed: auth.amzDate,
        latest: formatAmzDate(nowMs + skewMs),
        now: formatAmzDate(nowMs),
      },
      reason: `request time is more than ${minutes} minutes ahead of the server clock`,
    })
  if (auth.presigned) {
    const expiresAt = auth.signedAtMs + (auth.expiresSeconds ?? 0) * 1000
    if (nowMs > expiresAt)
      throw awsError(COMMON_ERRORS.RequestExpired, {
        reason: `presigned request expired at ${formatAmzDate(expiresAt)}`,
      })
    return
  }
  if (auth.signedAtMs < nowMs - skewMs)
    throw awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      variant: 'expired',
      params: {
        signed: auth.amzDate,
        earliest: formatAmzDate(nowMs - skewMs),
        now: formatAmzDate(nowMs),
      },
      reason: `request time is more than ${minutes} minutes behind the server clock`,
    })
}

/** The payload hash the signer used: `UNSIGNED-PAYLOAD` when it says so, else the body's. */
function payloadHash(req: SigV4Request, auth: SigV4Auth): string {
  const declared =
    headerValue(req.headers, 'x-amz-content-sha256') ??
    (auth.presigned ? queryParam(req.query, 'X-Amz-Content-Sha256') : undefined)
  if (declared === UNSIGNED_PAYLOAD) return UNSIGNED_PAYLOAD
  return sha256Hex(req.body)
}

/** Constant-time comparison of the expected and given hex signatures. */
function signaturesEqual(expectedHex: string, givenHex: string): boolean {
  if (!HEX_SIGNATURE.test(givenHex)) return false
  return timingSafeEqual(Buffer.from(expectedHex, 'latin1'), Buffer.from(givenHex, 'latin1'))
}

/**
 * Verifies an AWS Signature Version 4 request, in the Authorization header form or the
 * presigned query form, and returns who signed it. In order:
 *
 * 1. parse (`MissingAuthenticationToken` when unsigned, `IncompleteSignature` when
 *    malformed); `host` must be signed and every signed header present;
 * 2. credential scope: terminator, service, region, date (`SignatureDoesNotMatch`);
 * 3. time: 15 minutes either side of the clock (`SignatureDoesNotMatch` "Signature
 *    expired" / "not yet current", as AWS words it); a presigned request until
 *    `X-Amz-Date + X-Amz-Expires` (`RequestExpired`);
 * 4. credentials: `InvalidClientTokenId` for an unknown key or bad session token,
 *    `ExpiredToken` for an ended session;
 * 5. the signature over the canonical request, compared in constant time
 *    (`SignatureDoesNotMatch`).
 */
export async function verifySigV4<P>(
  req: SigV4Request,
  lookup: CredentialLookup<P>,
  clock: Clock,
  options: VerifyOptions = {},
): Promise<SigV4Identity<P>> {
  const auth = parseSigV4Auth(req)
  if (!auth.signedHeaders.includes('host'))
    throw awsError(COMMON_ERRORS.IncompleteSignature, { variant: 'hostNotSigned' })
  const headers = canonicalHeaders(req.headers, auth.signedHeaders)
  if ('missing' in headers)
    throw awsError(COMMON_ERRORS.IncompleteSignature, {
      variant: 'signedHeaderMissing',
      params: { header: headers.missing.slice(0, 64) },
    })
  checkScope(auth, options.service)
  checkTime(auth, clock.now(), options.maxSkewMs ?? MAX_SKEW_MS)

  const found = await lookup({ accessKeyId: auth.accessKeyId, sessionToken: auth.sessionToken })
  if (found.status === 'unknown')
    throw awsError(COMMON_ERRORS.InvalidClientTokenId, {
      reason: found.reason ?? `unknown access key ${auth.accessKeyId}`,
    })
  if (found.status === 'expired')
    throw awsError(COMMON_ERRORS.ExpiredToken, {
      reason: found.reason ?? `session of access key ${auth.accessKeyId} has expired`,
    })

  const canonical = canonicalRequest({
    method: req.method,
    rawPath: req.path,
    rawQuery: req.query,
    ...(auth.presigned ? { excludeQuery: 'X-Amz-Signature' } : {}),
    headersBlock: headers.block,
    signedHeaders: auth.signedHeaders,
    payloadHash: options.payloadHash ?? payloadHash(req, auth),
    ...(options.uri !== undefined ? { uri: options.uri } : {}),
  })
  const scope = `${auth.scope.date}/${auth.scope.region}/${auth.scope.service}/aws4_request`
  const toSign = stringToSign(auth.amzDate, scope, canonical)
  const key = (options.keyCache ?? defaultKeyCache).get(
    found.secretAccessKey,
    auth.scope.date,
    auth.scope.region,
    auth.scope.service,
  )
  const expected = createHmac('sha256', key).update(toSign, 'utf8').digest('hex')
  if (!signaturesEqual(expected, auth.signature))
    throw awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      reason: `signature mismatch for access key ${auth.accessKeyId} (canonical request sha256 ${sha256Hex(canonical)})`,
    })
  return {
    accessKeyId: auth.accessKeyId,
    region: auth.scope.region,
    service: auth.scope.service,
    principal: found.principal,
    withSessionToken: auth.sessionToken !== undefined,
    presigned: auth.presigned,
    signedAtMs: auth.signedAtMs,
    chain: { seedSignature: auth.signature, amzDate: auth.amzDate, scope, signingKey: key },
  }
}
