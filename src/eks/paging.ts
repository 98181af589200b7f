import { awsError, EKS_ERRORS } from '../aws/index.js'

/** ListClusters' page size bounds and default (EKS's model: 1–100, default 100). */
const MAX_LIST_RESULTS = 100

/** `maxResults` as sent (a decimal string), checked against 1–100; default 100. */
export function pageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return MAX_LIST_RESULTS
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(n >= 1 && n <= MAX_LIST_RESULTS))
    throw awsError(EKS_ERRORS.InvalidParameterException, {
      reason: `maxResults ${raw} is not an integer from 1 to ${MAX_LIST_RESULTS}`,
    })
  return n
}

/** An opaque `nextToken`: the last name of the page before, base64url. */
function encodeNextToken(lastName: string): string {
  return Buffer.from(`after:${lastName}`, 'utf8').toString('base64url')
}

/** The name a `nextToken` continues after; InvalidParameterException for a foreign token. */
export function decodeNextToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined
  const text = /^[A-Za-z0-9_-]+$/.test(token)
    ? Buffer.from(token, 'base64url').toString('utf8')
    : ''
  if (!text.startsWith('after:'))
    throw awsError(EKS_ERRORS.InvalidParameterException, {
      reason: 'nextToken was not issued by ListClusters',
    })
  return text.slice('after:'.length)
}

/** One page of sorted names after `after`, and the token for the next page, if any. */
export function pageOf(
  names: readonly string[],
  after: string | undefined,
  size: number,
): { names: string[]; nextToken?: string } {
  const rest = after === undefined ? [...names] : names.filter((n) => n > after)
  const page = rest.slice(0, size)
  const last = page[page.length - 1]
  return rest.length > size && last !== undefined
    ? { names: page, nextToken: encodeNextToken(last) }
    : { names: page }
}
