import type { AwsError } from '../errors/aws-error.js'
import { epochSecondsOf, type ResultStruct, type ResultValue } from './result.js'

/** A JSON value as the renderers build it. */
type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue }

/**
 * One result value as JSON: structures and maps as objects, lists as arrays, timestamps
 * as epoch seconds (a JSON number, as STS's JSON rendering sends `Expiration`). Absent
 * members are left out.
 */
export function toJsonValue(v: ResultValue): JsonValue | undefined {
  if (v === undefined) return undefined
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new Error('a result number must be finite')
    return v
  }
  switch (v.kind) {
    case 'timestamp':
      return epochSecondsOf(v.ms)
    case 'list':
      return v.items.map((i) => toJsonValue(i) ?? null)
    case 'struct':
    case 'map': {
      const o: Record<string, JsonValue> = {}
      const pairs = v.kind === 'struct' ? v.fields : v.entries
      for (const [k, f] of pairs) {
        const j = toJsonValue(f)
        if (j !== undefined) o[k] = j
      }
      return o
    }
  }
}

/**
 * The legacy JSON rendering of a Query response, for `Accept: application/json`
 * (Envoy's and Kong's STS clients):
 * `{"XResponse":{"XResult":{…},"ResponseMetadata":{"RequestId":"…"}}}`.
 */
export function renderQueryJson(o: {
  readonly action: string
  readonly result: ResultStruct | undefined
  readonly requestId: string
}): string {
  const body: Record<string, JsonValue> = {}
  if (o.result !== undefined) body[`${o.action}Result`] = toJsonValue(o.result) ?? {}
  body['ResponseMetadata'] = { RequestId: o.requestId }
  return JSON.stringify({ [`${o.action}Response`]: body })
}

/**
 * The JSON rendering of a Query error, mirroring `<ErrorResponse>`:
 * `{"Error":{"Type":"Sender","Code":"…","Message":"…"},"RequestId":"…"}`.
 */
export function renderErrorJson(o: {
  readonly error: AwsError
  readonly requestId: string
}): string {
  return JSON.stringify({
    Error: { Type: o.error.type, Code: o.error.code, Message: o.error.message },
    RequestId: o.requestId,
  })
}

/** A REST-JSON (EKS) success body: the output structure as a JSON object. */
export function renderRestJson(result: ResultStruct | undefined): string {
  return JSON.stringify(result === undefined ? {} : (toJsonValue(result) ?? {}))
}

/**
 * A REST-JSON (EKS) error: the code goes in the `x-amzn-ErrorType` header, the body is
 * `{"message":"…"}`; both SDKs read the code from the header.
 */
export function renderRestJsonError(error: AwsError): {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
} {
  return {
    headers: { 'x-amzn-ErrorType': error.code },
    body: JSON.stringify({ message: error.message }),
  }
}

/**
 * An AWS JSON-protocol (`application/x-amz-json-1.0/1.1`) error: `{"__type":"…","message":"…"}`,
 * with the code also in `x-amzn-ErrorType` (botocore reads `__type`, SDK v3 either).
 */
export function renderAwsJsonError(error: AwsError): {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
} {
  return {
    headers: { 'x-amzn-ErrorType': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  }
}
