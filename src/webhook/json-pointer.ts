import { WebhookError } from './errors.js'

/**
 * JSON Pointer (RFC 6901) tokens: `~` is written `~0` and `/` is written `~1`, so the
 * label `eks.amazonaws.com/pod-identity` is the token `eks.amazonaws.com~1pod-identity`.
 */

/** Escapes one reference token. */
export function escapePointerToken(token: string): string {
  if (!token.includes('~') && !token.includes('/')) return token
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Builds a pointer from unescaped tokens: `formatPointer(['spec', 'containers', 0])`. */
export function formatPointer(tokens: readonly (string | number)[]): string {
  let pointer = ''
  for (const t of tokens)
    pointer += '/' + (typeof t === 'number' ? String(t) : escapePointerToken(t))
  return pointer
}

/**
 * Splits a pointer into unescaped tokens. `""` is the whole document (no tokens); any
 * other pointer starts with `/`. A `~` not followed by `0` or `1` is an error, and `~01`
 * decodes to `~1` (unescaping `~1` before `~0`, as RFC 6901 §4 requires).
 */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) {
    throw new WebhookError(
      'ERR_JSON_PATCH_INVALID',
      `JSON Pointer ${JSON.stringify(pointer)} does not start with "/"`,
    )
  }
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      if (/~(?![01])/.test(raw)) {
        throw new WebhookError(
          'ERR_JSON_PATCH_INVALID',
          `JSON Pointer ${JSON.stringify(pointer)} has a "~" that is not "~0" or "~1"`,
        )
      }
      return raw.replaceAll('~1', '/').replaceAll('~0', '~')
    })
}
