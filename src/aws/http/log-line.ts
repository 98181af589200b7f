import type { LogFields } from '../handlers.js'
import type { RoutedBy } from '../routing.js'
import type { AwsService } from '../services.js'

/** Replaces long token-like runs in an internal error text before it is logged. */
export function scrub(text: string): string {
  return text.replace(/[A-Za-z0-9+/=_.-]{24,}/g, '[redacted]')
}

/** The app's own log fields, which handlers cannot overwrite. */
const RESERVED = new Set([
  'requestId',
  'method',
  'path',
  'service',
  'routedBy',
  'action',
  'accessKeyId',
  'status',
  'code',
  'message',
  'reason',
  'err',
  'ms',
])

/** Adds a handler's fields to the log line; the app's own fields cannot be overwritten. */
export function annotate(line: LogLine, fields: LogFields): void {
  for (const [k, v] of Object.entries(fields)) if (!RESERVED.has(k)) line[k] = v
}

/** The facts of one request's single log line; handlers add to it through `annotate`. */
export interface LogLine {
  requestId: string
  method: string
  path: string
  service?: AwsService
  routedBy?: RoutedBy
  action?: string
  accessKeyId?: string
  status?: number
  code?: string
  message?: string
  reason?: string
  err?: string
  ms?: number
  [extra: string]: string | number | boolean | undefined
}
