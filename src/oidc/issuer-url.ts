import { isIP } from 'node:net'
import { InputError } from '../core/index.js'

/** Which discovery document to produce: kube-apiserver's, or the self-hosted (S3) one. */
export type DiscoveryForm = 'kube' | 'self-hosted'

/** Where kube-apiserver serves its JWKS, relative to the issuer. */
const KUBE_JWKS_PATH = '/openid/v1/jwks'
/** Where the self-hosted (S3) setup puts its JWKS, relative to the issuer. */
export const SELF_HOSTED_JWKS_PATH = '/keys.json'
/** The OpenID discovery path, relative to the issuer. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration'

function parseHttps(value: string, what: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(`${what} '${value}' is not a URL`)
  }
  if (url.protocol !== 'https:')
    throw new InputError(`${what} must be an https URL, got '${value}'`)
  if (url.username !== '' || url.password !== '')
    throw new InputError(`${what} '${value}' must not carry a user name or password`)
  return url
}

/**
 * Checks an issuer URL as kube-apiserver does: https, no query, no fragment (and no
 * credentials). Returns the parsed URL; the issuer string itself is used unchanged.
 */
export function parseIssuer(issuer: string): URL {
  const url = parseHttps(issuer, 'issuer')
  if (issuer.includes('?')) throw new InputError(`issuer '${issuer}' must not have a query`)
  if (issuer.includes('#')) throw new InputError(`issuer '${issuer}' must not have a fragment`)
  return url
}

/** Checks a jwks_uri: an https URL. */
export function parseJwksUri(jwksUri: string): URL {
  return parseHttps(jwksUri, 'jwks_uri')
}

/** The issuer with any trailing slash removed: the base every well-known path hangs off. */
export function issuerBase(issuer: string): string {
  return issuer.replace(/\/+$/, '')
}

/** `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery §4). */
export function discoveryUrl(issuer: string): string {
  return issuerBase(issuer) + DISCOVERY_PATH
}

/** The default jwks_uri: `<issuer>/openid/v1/jwks` (kube) or `<issuer>/keys.json` (self-hosted). */
export function defaultJwksUri(issuer: string, form: DiscoveryForm): string {
  return issuerBase(issuer) + (form === 'kube' ? KUBE_JWKS_PATH : SELF_HOSTED_JWKS_PATH)
}

/**
 * The issuer with a `:0` port replaced by `port`: an issuer written as
 * `https://127.0.0.1:0/id/X` takes the port an ephemeral server got. Other issuers are
 * returned unchanged.
 */
export function issuerWithPort(issuer: string, port: number): string {
  return issuer.replace(/^(https:\/\/[^/?#]*):0(?=[/?#]|$)/i, `$1:${port}`)
}

/**
 * The names a server certificate for an issuer must cover: the issuer's host and the
 * listen address (wildcard addresses left out); `localhost` brings 127.0.0.1 and ::1.
 */
export function servingNames(
  issuer: URL,
  listenHost: string,
): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = new Set<string>()
  const ipAddresses = new Set<string>()
  for (const h of [issuer.hostname.replace(/^\[(.*)\]$/, '$1'), listenHost]) {
    if (isIP(h) === 0) dnsNames.add(h.toLowerCase())
    else if (h !== '0.0.0.0' && h !== '::') ipAddresses.add(h)
  }
  if (dnsNames.has('localhost')) {
    ipAddresses.add('127.0.0.1')
    ipAddresses.add('::1')
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] }
}
