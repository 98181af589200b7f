/**
 * Admission warnings are shown to users by kubectl and kept by the API server, which may
 * cut any warning longer than 256 characters. Values from the pod or ServiceAccount are
 * quoted like JSON strings (so a newline or control character in an annotation cannot
 * forge extra lines) and long ones are shortened.
 */

/** The API server's advertised limit for one warning. */
export const MAX_WARNING_LENGTH = 256

const MAX_VALUE_LENGTH = 80

/** A user-supplied value, double-quoted with JSON escapes, at most about 80 characters. */
export function quote(value: string): string {
  const short = value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH - 1) + '…' : value
  return JSON.stringify(short)
}

/** A warning cut to {@link MAX_WARNING_LENGTH} characters. */
export function capWarning(warning: string): string {
  return warning.length > MAX_WARNING_LENGTH
    ? warning.slice(0, MAX_WARNING_LENGTH - 1) + '…'
    : warning
}

/** `A`, `A and B`, `A, B and C` (or with `or`). */
export function list(names: readonly string[], word: 'and' | 'or'): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} ${word} ${names.at(-1) ?? ''}`
}
