import { InputError } from '../core/index.js'

/**
 * Checks a service-account issuer as kube-apiserver checks `--service-account-issuer` for
 * OIDC use: an https URL with no query, no fragment and no user name or password. The
 * issuer string itself goes into `iss` unchanged.
 */
export function checkIssuer(issuer: string, what = 'issuer'): void {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new InputError(`${what} '${issuer}' is not a URL`)
  }
  if (url.protocol !== 'https:')
    throw new InputError(`${what} must be an https URL, got '${issuer}'`)
  if (url.username !== '' || url.password !== '')
    throw new InputError(`${what} '${issuer}' must not carry a user name or password`)
  if (issuer.includes('?')) throw new InputError(`${what} '${issuer}' must not have a query`)
  if (issuer.includes('#')) throw new InputError(`${what} '${issuer}' must not have a fragment`)
}
