import { IrsaError } from '../core/index.js'

/** A refusal or failure of an operator command (one line; the CLI exits 2). */
export class OperatorError extends IrsaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OPERATOR', message, options)
    this.name = 'OperatorError'
  }
}
