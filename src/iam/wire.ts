import {
  iso8601Seconds,
  list,
  struct,
  timestamp,
  type ResultList,
  type ResultValue,
} from '../aws/index.js'

/**
 * A policy document as IAM returns it: URL-encoded (RFC 3986) JSON, which botocore and
 * the AWS CLI decode back (`json_decode_policies`). Everything but the unreserved
 * characters is percent-encoded.
 */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** `2026-03-01T10:00:00Z`: ISO 8601 UTC, whole seconds (for condition keys). */
export const iso8601 = iso8601Seconds

/** A `Tags` list of `{Key, Value}` members. */
export function tagList(
  tags: readonly { readonly key: string; readonly value: string }[],
): ResultList {
  return list(tags.map((t) => struct({ Key: t.key, Value: t.value })))
}

/** A timestamp member from epoch milliseconds. */
export const time = (ms: number): ResultValue => timestamp(ms)
