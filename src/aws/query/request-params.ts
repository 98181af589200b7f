import { awsError } from '../errors/aws-error.js'
import { COMMON_ERRORS } from '../errors/common.js'
import { headerValue } from '../sigv4/authorization.js'
import type { HeaderValues } from '../sigv4/canonical.js'
import { parseForm, type FormPair } from './form.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** Whether a body is an `application/x-www-form-urlencoded` form (or untyped, as AWS reads it). */
function isFormBody(headers: HeaderValues, body: Uint8Array): boolean {
  if (body.length === 0) return false
  const type = headerValue(headers, 'content-type')
  if (type === undefined || type.trim() === '') return true
  return /^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(type)
}

/** A Query request's parameters: its query string, then its form body when it has one. */
export function queryPairs(rawQuery: string, headers: HeaderValues, body: Uint8Array): FormPair[] {
  const pairs = parseForm(rawQuery)
  if (!isFormBody(headers, body)) return pairs
  let text: string
  try {
    text = UTF8.decode(body)
  } catch {
    throw awsError(COMMON_ERRORS.MalformedQueryString, { reason: 'the form body is not UTF-8' })
  }
  return pairs.concat(parseForm(text))
}
