import { IrsaError } from '../core/index.js'

/** Stable codes of the local cluster objects' errors. */
type LocalErrorCode =
  | 'ERR_LOCAL_MANIFEST'
  | 'ERR_LOCAL_NOT_FOUND'
  | 'ERR_LOCAL_FORBIDDEN'
  | 'ERR_LOCAL_NO_ROLE'
  | 'ERR_LOCAL_EXEC'

/**
 * An error of `irsa apply`, `irsa get` or `irsa exec`. The message is one line, worded as
 * kubectl would word it where kubectl has the same error (`namespaces "x" not found`).
 */
export class LocalError extends IrsaError {
  declare readonly code: LocalErrorCode

  constructor(code: LocalErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'LocalError'
  }
}

/** True when `e` is a {@link LocalError}, optionally with `code`. */
export function isLocalError(e: unknown, code?: LocalErrorCode): e is LocalError {
  return e instanceof LocalError && (code === undefined || e.code === code)
}

/** kubectl's NotFound: `serviceaccounts "app" not found`. */
export function notFound(resource: string, name: string): LocalError {
  return new LocalError('ERR_LOCAL_NOT_FOUND', `${resource} "${name}" not found`)
}
