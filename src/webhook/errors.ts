import { IrsaError } from '../core/index.js'

/**
 * Why the webhook core refused an input. Stable: the admission server maps them to its
 * answers, so a code is never renamed or reused.
 *
 * - `ERR_WEBHOOK_POD_SHAPE`: the pod is not shaped like a Pod where the mutation has to
 *   write (for example `env` is not a list), so no correct patch exists.
 * - `ERR_JSON_PATCH_INVALID`: a JSON Patch document or JSON Pointer is malformed.
 * - `ERR_JSON_PATCH_FAILED`: a well-formed operation cannot be applied to the document
 *   (missing target, failed `test`, index out of range).
 */
type WebhookErrorCode = 'ERR_WEBHOOK_POD_SHAPE' | 'ERR_JSON_PATCH_INVALID' | 'ERR_JSON_PATCH_FAILED'

/** Every {@link WebhookErrorCode}, for exhaustive tests and documentation. */
export const WEBHOOK_ERROR_CODES: readonly WebhookErrorCode[] = [
  'ERR_WEBHOOK_POD_SHAPE',
  'ERR_JSON_PATCH_INVALID',
  'ERR_JSON_PATCH_FAILED',
]

/** An error of the webhook core; `message` is one line and names the JSON path at fault. */
export class WebhookError extends IrsaError {
  declare readonly code: WebhookErrorCode

  constructor(code: WebhookErrorCode, message: string) {
    super(code, message)
    this.name = 'WebhookError'
  }
}

/** True when `e` is a {@link WebhookError}. */
export function isWebhookError(e: unknown): e is WebhookError {
  return e instanceof WebhookError
}
