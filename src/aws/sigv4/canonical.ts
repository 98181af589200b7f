import { hash } from 'node:crypto'

/** The SigV4 algorithm name, the only one irsa verifies. */
export const ALGORITHM = 'AWS4-HMAC-SHA256'

/** The payload-hash value for a body the signer chose not to sign. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'

/** Lower-case hex SHA-256 (one-shot: no Hash object per call). */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex')
}

/**
 * SigV4's URI encoding: every byte except the unreserved `A-Z a-z 0-9 - _ . ~` as `%XX`
 * with upper-case hex (RFC 3986), so `*` is `%2A` and a space `%20`, never `+`.
 */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/**
 * The canonical URI of a non-S3 service: the path as it went on the wire, with `.` and
 * `..` segments resolved and empty segments dropped, then URI-encoded once more with
 * `/` kept (so a wire `%20` signs as `%2520`), as the AWS SDKs compute it.
 */
function canonicalUri(rawPath: string): string {
  const segments: string[] = []
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') segments.pop()
    else segments.push(seg)
  }
  const trailing = rawPath.endsWith('/') && segments.length > 0 ? '/' : ''
  const normalized = `/${segments.join('/')}${trailing}`
  return uriEscape(normalized).replace(/%2F/g, '/')
}

function decodeStrict(s: string): string {
  if (!s.includes('%')) return s
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * A raw query value already in SigV4's encoding, which is therefore its own canonical
 * form: unreserved characters and upper-case escapes of the ASCII characters that must be
 * escaped (not of letters, digits, `-._~`, nor of bytes past ASCII). A session token
 * (base64: `%2B`, `%2F`, `%3D`) is one, and skips a decode and an encode of its kilobyte.
 */
const ALREADY_CANONICAL =
  /^(?:[A-Za-z0-9\-._~]|%(?:[01][0-9A-F]|2[0-9A-CF]|3[A-F]|40|5[B-E]|60|7[B-DF]))*$/

/** A raw query value's canonical encoding. */
export function canonicalQueryValue(raw: string): string {
  return ALREADY_CANONICAL.test(raw) ? raw : uriEscape(decodeStrict(raw))
}

/**
 * The canonical query string: every parameter of the raw query (`+` is a literal plus,
 * as signers encode spaces as `%20`), each name and value URI-encoded, sorted by name
 * and then by value, joined with `&`. `exclude` names a parameter left out (the
 * presigned `X-Amz-Signature`).
 */
function canonicalQuery(rawQuery: string, exclude?: string): string {
  const pairs: [string, string][] = []
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const name = decodeStrict(eq === -1 ? piece : piece.slice(0, eq))
    if (exclude !== undefined && name === exclude) continue
    pairs.push([uriEscape(name), eq === -1 ? '' : canonicalQueryValue(piece.slice(eq + 1))])
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  return pairs.map(([n, v]) => `${n}=${v}`).join('&')
}

/** A header value as SigV4 signs it: trimmed, runs of whitespace folded to one space. */
function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ')
}

/** Headers by lower-case name, every value of a repeated header kept in order. */
export type HeaderValues = Readonly<Record<string, readonly string[] | undefined>>

/**
 * The canonical headers block for the signed header names, in the order given:
 * `name:value\n` per header, the values of a repeated header joined with `,`.
 * Returns the name of the first signed header the request lacks instead.
 */
export function canonicalHeaders(
  headers: HeaderValues,
  signed: readonly string[],
): { readonly block: string } | { readonly missing: string } {
  let block = ''
  for (const name of signed) {
    const values = headers[name]
    if (values === undefined || values.length === 0) return { missing: name }
    block += `${name}:${values.map(canonicalHeaderValue).join(',')}\n`
  }
  return { block }
}

/** The parts of a canonical request. */
interface CanonicalRequestParts {
  readonly method: string
  readonly rawPath: string
  readonly rawQuery: string
  /** Excluded from the canonical query (presigned requests: `X-Amz-Signature`). */
  readonly excludeQuery?: string
  readonly headersBlock: string
  readonly signedHeaders: readonly string[]
  readonly payloadHash: string
  /**
   * `normalized` (default, every service but S3): dot segments resolved, empty segments
   * dropped, encoded once more. `raw` (S3): the path exactly as sent.
   */
  readonly uri?: 'normalized' | 'raw'
}

/** The canonical request, exactly as AWS's SigV4 specification lays it out. */
export function canonicalRequest(p: CanonicalRequestParts): string {
  return [
    p.method.toUpperCase(),
    p.uri === 'raw' ? p.rawPath : canonicalUri(p.rawPath),
    canonicalQuery(p.rawQuery, p.excludeQuery),
    p.headersBlock,
    p.signedHeaders.join(';'),
    p.payloadHash,
  ].join('\n')
}

/** The string to sign: algorithm, request time, credential scope, canonical request hash. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`
}
