import type { AwsError } from '../errors/aws-error.js'
import { toEksError } from '../errors/registry.js'
import {
  renderAwsJsonError,
  renderErrorJson,
  renderQueryJson,
  renderRestJson,
  renderRestJsonError,
} from '../render/json.js'
import type { ResultStruct } from '../render/result.js'
import { renderErrorXml, renderQueryXml } from '../render/xml.js'
import { SERVICE_PROTOCOLS, type AwsService } from '../services.js'
import { headerValue } from '../sigv4/authorization.js'
import type { HeaderValues } from '../sigv4/canonical.js'

/** A response before it is written: status, headers and a text body. */
export interface AwsHttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The request-id header AWS sends on every response, and the SDKs read. */
export const REQUEST_ID_HEADER = 'x-amzn-RequestId'

/** Whether a Query client asked for the legacy JSON rendering (`Accept: application/json`). */
export function wantsJson(headers: HeaderValues): boolean {
  const accept = headerValue(headers, 'accept')
  return accept !== undefined && /\bapplication\/json\b/i.test(accept)
}

function response(
  status: number,
  contentType: string,
  requestId: string,
  body: string,
  extra: Readonly<Record<string, string>> = {},
): AwsHttpResponse {
  return {
    status,
    headers: {
      [REQUEST_ID_HEADER]: requestId,
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body, 'utf8')),
      ...extra,
    },
    body,
  }
}

/** A Query success: XML (`text/xml`) or, when asked for, the legacy JSON. */
export function querySuccess(o: {
  readonly service: 'iam' | 'sts'
  readonly action: string
  readonly result: ResultStruct | undefined
  readonly requestId: string
  readonly json: boolean
}): AwsHttpResponse {
  if (o.json) return response(200, 'application/json', o.requestId, renderQueryJson(o))
  const namespace = SERVICE_PROTOCOLS[o.service].namespace
  return response(200, 'text/xml', o.requestId, renderQueryXml({ ...o, namespace }))
}

/** A REST-JSON success. */
export function restSuccess(o: {
  readonly status: number
  readonly result: ResultStruct | undefined
  readonly requestId: string
}): AwsHttpResponse {
  return response(o.status, 'application/json', o.requestId, renderRestJson(o.result))
}

/**
 * An error in the protocol of the service it is for: REST-JSON for EKS (with EKS's names
 * for the common errors), Query XML otherwise (STS's namespace when no service is known),
 * or Query JSON when the client asked for JSON.
 */
export function errorResponse(o: {
  readonly error: AwsError
  readonly service: AwsService | undefined
  readonly requestId: string
  readonly json: boolean
  /** The client speaks an AWS JSON protocol: the code in `x-amzn-ErrorType`, as EKS. */
  readonly awsJson?: boolean
}): AwsHttpResponse {
  if (o.awsJson === true) {
    const r = renderAwsJsonError(o.error)
    return response(o.error.status, 'application/x-amz-json-1.1', o.requestId, r.body, r.headers)
  }
  if (o.service === 'eks') {
    const e = toEksError(o.error)
    const r = renderRestJsonError(e)
    return response(e.status, 'application/json', o.requestId, r.body, r.headers)
  }
  if (o.json) return response(o.error.status, 'application/json', o.requestId, renderErrorJson(o))
  const namespace = SERVICE_PROTOCOLS[o.service ?? 'sts'].namespace
  return response(o.error.status, 'text/xml', o.requestId, renderErrorXml({ ...o, namespace }))
}
