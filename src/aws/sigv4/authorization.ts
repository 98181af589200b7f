import { awsError } from '../errors/aws-error.js'
import { COMMON_ERRORS } from '../errors/common.js'
import { parseAmzDate, parseHttpDate, formatAmzDate } from './amz-date.js'
import { ALGORITHM, type HeaderValues } from './canonical.js'

/** The request facts SigV4 needs, independent of node:http. */
export interface SigV4Request {
  readonly method: string
  /** The path exactly as on the wire (still percent-encoded), without the query. */
  readonly path: string
  /** The raw query string, without `?` ('' when none). */
  readonly query: string
  /** Header values by lower-case name; a repeated header keeps every value. */
  readonly headers: HeaderValues
  readonly body: Uint8Array
}

/** The credential scope: `date/region/service/aws4_request`. */
interface CredentialScope {
  readonly date: string
  readonly region: string
  readonly service: string
  readonly terminator: string
}

/** A parsed SigV4 authorization, header or presigned form. */
export interface SigV4Auth {
  readonly presigned: boolean
  readonly accessKeyId: string
  readonly scope: CredentialScope
  /** Lower-case names, in the order the client listed them. */
  readonly signedHeaders: readonly string[]
  /** The signature as sent (lower-case hex when well-formed). */
  readonly signature: string
  /** The request time as it enters the string to sign (`20150830T123600Z`). */
  readonly amzDate: string
  readonly signedAtMs: number
  /** Presigned only: seconds the URL is valid for. */
  readonly expiresSeconds: number | undefined
  readonly sessionToken: string | undefined
}

/** The first value of a header, if any. */
export function headerValue(headers: HeaderValues, name: string): string | undefined {
  return headers[name]?.[0]
}

/** A query parameter's name, percent-decoded; undefined when it is not valid UTF-8 escapes. */
function decodeName(raw: string): string | undefined {
  if (!raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

/** The query string {@link queryParams} read last, and what it read. */
let lastQuery: string | undefined
let lastParams: ReadonlyMap<string, string> = new Map()

/**
 * A query string's raw values by decoded name, the first of a repeated name winning (a
 * name that does not decode is skipped). A request asks for a dozen of its parameters
 * (which signature version, which credential, which token…), so the last query string's
 * map is kept: each question after the first is one lookup, not a scan of the query.
 */
function queryParams(rawQuery: string): ReadonlyMap<string, string> {
  if (rawQuery === lastQuery) return lastParams
  const params = new Map<string, string>()
  for (const piece of rawQuery.split('&')) {
    const eq = piece.indexOf('=')
    const name = decodeName(eq === -1 ? piece : piece.slice(0, eq))
    if (name === undefined || params.has(name)) continue
    params.set(name, eq === -1 ? '' : piece.slice(eq + 1))
  }
  lastQuery = rawQuery
  lastParams = params
  return params
}

/** One query parameter's value, decoded strictly (`+` stays `+`), or undefined. */
export function queryParam(rawQuery: string, name: string): string | undefined {
  if (rawQuery === '') return undefined
  const raw = queryParams(rawQuery).get(name)
  if (raw === undefined || !raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** Algorithm names safe to echo: AWS's own and the standard HTTP schemes, never a credential. */
const ALGORITHM_NAME = /^(AWS[0-9A-Z-]{0,29}|Basic|Bearer|Digest|Negotiate|NTLM)$/

function unsupportedAlgorithm(algorithm: string): never {
  throw awsError(COMMON_ERRORS.IncompleteSignature, {
    variant: 'unsupportedAlgorithm',
    params: { algorithm: ALGORITHM_NAME.test(algorithm) ? algorithm : 'unknown' },
  })
}

function parseCredential(credential: string): { accessKeyId: string; scope: CredentialScope } {
  const parts = credential.split('/')
  if (parts.length !== 5 || parts.some((p) => p === ''))
    throw awsError(COMMON_ERRORS.IncompleteSignature, {
      variant: 'credentialElements',
      params: { credential },
    })
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts
  return { accessKeyId, scope: { date, region, service, terminator } }
}

function parseSignedHeaders(list: string): string[] {
  return list.split(';').map((h) => h.trim().toLowerCase())
}

/** The request time from `X-Amz-Date`, else `Date`, as SigV4 reads it. */
function requestTime(
  amzDate: string | undefined,
  httpDate: string | undefined,
): { amzDate: string; ms: number } {
  if (amzDate !== undefined) {
    const ms = parseAmzDate(amzDate)
    if (ms === undefined)
      throw awsError(COMMON_ERRORS.IncompleteSignature, {
        variant: 'badDate',
        params: { date: amzDate.slice(0, 40) },
      })
    return { amzDate, ms }
  }
  if (httpDate !== undefined) {
    const ms = parseHttpDate(httpDate)
    if (ms === undefined)
      throw awsError(COMMON_ERRORS.IncompleteSignature, {
        variant: 'badDate',
        params: { date: httpDate.slice(0, 40) },
      })
    return { amzDate: formatAmzDate(ms), ms }
  }
  throw awsError(COMMON_ERRORS.IncompleteSignature, { variant: 'missingDate' })
}

function parseHeaderAuth(header: string, req: SigV4Request): SigV4Auth {
  const sp = header.search(/\s/)
  const algorithm = sp === -1 ? header : header.slice(0, sp)
  if (algorithm !== ALGORITHM) unsupportedAlgorithm(algorithm)
  const fields = new Map<string, string>()
  for (const raw of header.slice(sp + 1).split(',')) {
    const part = raw.trim()
    if (part === '') continue
    const eq = part.indexOf('=')
    if (eq === -1) throw awsError(COMMON_ERRORS.IncompleteSignature, { variant: 'notKeyValue' })
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders']
    .filter((k) => !fields.has(k))
    .map((k) => `Authorization header requires '${k}' parameter.`)
  const amzDate = headerValue(req.headers, 'x-amz-date')
  const httpDate = headerValue(req.headers, 'date')
  if (amzDate === undefined && httpDate === undefined)
    missing.push(COMMON_ERRORS.IncompleteSignature.variants.missingDate)
  if (missing.length > 0)
    throw awsError(COMMON_ERRORS.IncompleteSignature, {
      variant: 'missingComponents',
      params: { missing: missing.join(' ') },
    })
  const time = requestTime(amzDate, httpDate)
  const { accessKeyId, scope } = parseCredential(fields.get('Credential') ?? '')
  return {
    presigned: false,
    accessKeyId,
    scope,
    signedHeaders: parseSignedHeaders(fields.get('SignedHeaders') ?? ''),
    signature: fields.get('Signature') ?? '',
    amzDate: time.amzDate,
    signedAtMs: time.ms,
    expiresSeconds: undefined,
    sessionToken: headerValue(req.headers, 'x-amz-security-token'),
  }
}

const MAX_PRESIGN_SECONDS = 604800

function parsePresignedAuth(req: SigV4Request): SigV4Auth {
  const q = (name: string): string => {
    const v = queryParam(req.query, name)
    if (v === undefined)
      throw awsError(COMMON_ERRORS.IncompleteSignature, {
        variant: 'queryMissing',
        params: { parameter: name },
      })
    return v
  }
  const algorithm = q('X-Amz-Algorithm')
  if (algorithm !== ALGORITHM) unsupportedAlgorithm(algorithm)
  const credential = q('X-Amz-Credential')
  const amzDate = q('X-Amz-Date')
  const signedHeaders = q('X-Amz-SignedHeaders')
  const signature = q('X-Amz-Signature')
  const expiresRaw = q('X-Amz-Expires')
  const expires = /^[0-9]{1,7}$/.test(expiresRaw) ? Number(expiresRaw) : Number.NaN
  if (!(expires >= 1 && expires <= MAX_PRESIGN_SECONDS))
    throw awsError(COMMON_ERRORS.IncompleteSignature, {
      variant: 'badExpires',
      params: { expires: expiresRaw.slice(0, 20) },
    })
  const { accessKeyId, scope } = parseCredential(credential)
  const time = requestTime(amzDate, undefined)
  return {
    presigned: true,
    accessKeyId,
    scope,
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
    amzDate: time.amzDate,
    signedAtMs: time.ms,
    expiresSeconds: expires,
    sessionToken:
      queryParam(req.query, 'X-Amz-Security-Token') ??
      headerValue(req.headers, 'x-amz-security-token'),
  }
}

/**
 * Reads a request's SigV4 authorization: the `Authorization` header or the presigned
 * query (`X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`, `-SignedHeaders`,
 * `-Signature`, `-Security-Token`). An unsigned request is `MissingAuthenticationToken`;
 * a malformed one `IncompleteSignature`. Nothing is verified yet.
 */
export function parseSigV4Auth(req: SigV4Request): SigV4Auth {
  const header = headerValue(req.headers, 'authorization')
  const presigned =
    queryParam(req.query, 'X-Amz-Credential') !== undefined ||
    queryParam(req.query, 'X-Amz-Algorithm') !== undefined ||
    queryParam(req.query, 'X-Amz-Signature') !== undefined
  if (header !== undefined && presigned)
    throw awsError(COMMON_ERRORS.IncompleteSignature, { variant: 'twoMechanisms' })
  if (header !== undefined) return parseHeaderAuth(header, req)
  if (presigned) return parsePresignedAuth(req)
  throw awsError(COMMON_ERRORS.MissingAuthenticationToken, { reason: 'the request is not signed' })
}
