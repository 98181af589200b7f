import { TokenError } from './errors.js'

/** AWS STS's limit on `WebIdentityToken`: 20000 characters. */
const MAX_TOKEN_LENGTH = 20000

/** A JWS header as parsed: `alg` is always a string, `kid` a string when present. */
export interface JwsHeader {
  readonly alg: string
  readonly kid?: string
  readonly typ?: string
  readonly [name: string]: unknown
}

/** A token split and parsed, not verified. */
export interface DecodedToken {
  readonly header: JwsHeader
  /** The payload: a JSON object, claims not yet checked. */
  readonly payload: Readonly<Record<string, unknown>>
  /** `base64url(header) "." base64url(payload)`: what the signature covers. */
  readonly signingInput: string
  readonly signature: Buffer
}

const B64URL = /^[A-Za-z0-9_-]+$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

function malformed(message: string): TokenError {
  return new TokenError('ERR_TOKEN_MALFORMED', message)
}

/** Strict base64url: the URL-safe alphabet, no padding, and canonical (it re-encodes to itself). */
function decodePart(part: string, what: string): Buffer {
  if (!B64URL.test(part)) throw malformed(`token ${what} is not unpadded base64url`)
  const bytes = Buffer.from(part, 'base64url')
  if (bytes.toString('base64url') !== part)
    throw malformed(`token ${what} is not canonical base64url`)
  return bytes
}

function parseObject(part: string, what: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(decodePart(part, what)))
  } catch (e) {
    if (e instanceof TokenError) throw e
    throw malformed(`token ${what} is not UTF-8 JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`token ${what} is not a JSON object`)
  return value as Record<string, unknown>
}

/**
 * Splits and parses a compact JWS without verifying it: three base64url parts, a header
 * object with a string `alg` (and a string `kid` when present), a payload object. STS
 * reads `iss` from here to find the provider before it has keys. Errors never quote the
 * token.
 */
export function decodeToken(token: string): DecodedToken {
  if (token.length > MAX_TOKEN_LENGTH)
    throw new TokenError(
      'ERR_TOKEN_TOO_LARGE',
      `token is longer than ${MAX_TOKEN_LENGTH} characters`,
    )
  const parts = token.split('.')
  if (parts.length !== 3)
    throw malformed('token is not a compact JWS (three base64url parts separated by dots)')
  const [h = '', p = '', s = ''] = parts
  const header = parseObject(h, 'header')
  if (typeof header['alg'] !== 'string') throw malformed('token header has no string "alg"')
  if (header['kid'] !== undefined && typeof header['kid'] !== 'string')
    throw malformed('token header "kid" is not a string')
  if (header['typ'] !== undefined && typeof header['typ'] !== 'string')
    throw malformed('token header "typ" is not a string')
  const payload = parseObject(p, 'payload')
  // An empty signature is left for the verifier to refuse by its alg (`none`).
  const signature = s === '' ? Buffer.alloc(0) : decodePart(s, 'signature')
  return { header: header as JwsHeader, payload, signingInput: `${h}.${p}`, signature }
}
