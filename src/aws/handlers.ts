import type { QueryParams } from './query/params.js'
import type { ResultStruct } from './render/result.js'

/** Whether an action needs a SigV4 signature (`sigv4`) or is served unsigned (`none`). */
type AuthMode = 'sigv4' | 'none'

/** The authenticated caller of a signed request. */
export interface Caller<P> {
  readonly accessKeyId: string
  /** The region of the credential scope. */
  readonly region: string
  /** What the credential lookup returned for the key (account, user or role session…). */
  readonly principal: P
  readonly withSessionToken: boolean
  readonly presigned: boolean
}

/** Safe facts a handler adds to its request's log line (never a token or secret). */
export type LogFields = Readonly<Record<string, string | number | boolean>>

/** What every handler is given. */
interface BaseContext<P> {
  readonly requestId: string
  /** The caller, for signed actions; undefined for unsigned ones. */
  readonly caller: Caller<P> | undefined
  /** The client address, for `aws:SourceIp`. */
  readonly sourceIp: string | undefined
  /** The request time from the injected clock (epoch ms). */
  readonly nowMs: number
  /** Adds fields to this request's single log line. */
  readonly annotate: (fields: LogFields) => void
}

/** What a Query (IAM, STS) action handler is given. */
export interface QueryContext<P> extends BaseContext<P> {
  readonly service: 'iam' | 'sts'
  readonly action: string
  readonly params: QueryParams
}

/**
 * One AWS Query action. The handler returns the `<XResult>` structure (undefined for an
 * action with no output members) or throws an `AwsError`; anything else it throws is
 * answered as `InternalFailure`.
 */
export interface QueryAction<P> {
  readonly service: 'iam' | 'sts'
  readonly action: string
  readonly auth: AuthMode
  handle(ctx: QueryContext<P>): ResultStruct | undefined | Promise<ResultStruct | undefined>
}

/** What a REST-JSON (EKS) operation handler is given. */
export interface RestContext<P> extends BaseContext<P> {
  readonly service: 'eks'
  readonly operation: string
  /** The `{label}`s of the route's path, decoded. */
  readonly pathParams: Readonly<Record<string, string>>
  /** The query string's parameters. */
  readonly query: QueryParams
  readonly body: Uint8Array
}

/** A REST-JSON operation's answer: a status (200 unless said) and a JSON body. */
interface RestResult {
  readonly status?: number
  readonly body?: ResultStruct
}

/**
 * One REST-JSON (EKS) operation, matched by method and path pattern
 * (`/clusters/{name}`: a `{label}` matches one non-empty path segment).
 */
export interface RestRoute<P> {
  readonly service: 'eks'
  readonly operation: string
  readonly method: string
  readonly path: string
  readonly auth: AuthMode
  handle(ctx: RestContext<P>): RestResult | Promise<RestResult>
}
