/**
 * The base of every error irsa raises on purpose. `code` is stable and machine-readable;
 * `message` is one line for a human and never contains a token, key or secret.
 */
export class IrsaError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'IrsaError'
    this.code = code
  }
}

/** Bad input from the user (flags, files, values): the CLI exits 2 with the message. */
export class InputError extends IrsaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INPUT', message, options)
    this.name = 'InputError'
  }
}

/** True when `e` is an {@link IrsaError}. */
export function isIrsaError(e: unknown): e is IrsaError {
  return e instanceof IrsaError
}

/** A one-line, secret-free description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name
  return String(e)
}
