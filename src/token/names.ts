import { TokenRequestError } from './errors.js'

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Checks a namespace name as Kubernetes does (an RFC 1123 label, at most 63 characters). */
export function checkNamespaceName(name: string, what = 'namespace'): void {
  if (name === '') throw new TokenRequestError(`${what}: Required value`)
  if (name.length > 63)
    throw new TokenRequestError(`${what} '${name}': must be no more than 63 characters`)
  if (!LABEL.test(name))
    throw new TokenRequestError(
      `${what} '${name}': a lowercase RFC 1123 label must consist of lower case alphanumeric ` +
        "characters or '-', and must start and end with an alphanumeric character",
    )
}

/**
 * Checks an object name (ServiceAccount, Pod, Node, Secret) as Kubernetes does (an RFC 1123
 * subdomain, at most 253 characters).
 */
export function checkObjectName(name: string, what: string): void {
  if (name === '') throw new TokenRequestError(`${what}: Required value`)
  if (name.length > 253)
    throw new TokenRequestError(`${what} '${name}': must be no more than 253 characters`)
  if (!SUBDOMAIN.test(name))
    throw new TokenRequestError(
      `${what} '${name}': a lowercase RFC 1123 subdomain must consist of lower case ` +
        "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    )
}
