import type { X509Certificate } from 'node:crypto'
import { describeError } from '../core/index.js'
import { IssuerFetchError } from './errors.js'
import { fetchJson, type FetchTrust } from './fetch-json.js'
import { discoveryUrl, parseIssuer, parseJwksUri } from './issuer-url.js'
import {
  checkTrust,
  endpointLabel,
  endpointOf,
  readSentChain,
  sha1Thumbprint,
  type TlsEndpoint,
} from './tls-probe.js'

/** How long one connection or request may take, by default (as AWS's JWKS fetch). */
export const DEFAULT_TIMEOUT_MS = 5000

/** One certificate of a chain, as a report shows it. */
interface CertificateSummary {
  readonly subject: string
  readonly issuer: string
  /** SHA-1 of the DER, lower-case hex. */
  readonly sha1: string
  readonly selfIssued: boolean
}

/** The thumbprint of one host: the SHA-1 of the last certificate it sends. */
export interface HostThumbprint {
  /** `host:port`. */
  readonly host: string
  readonly thumbprint: string
  /** The certificates the host sent, leaf first. */
  readonly chain: readonly CertificateSummary[]
  /** Whether the chain verifies for the host name against the system CAs plus `--ca`. */
  readonly trusted: boolean
  readonly trustError?: string
}

/** Both thumbprint rules for one issuer. */
export interface ThumbprintReport {
  readonly issuer: string
  /** eksctl's rule: the last certificate the issuer host sends. */
  readonly issuerHost: HostThumbprint
  /** The jwks_uri found in the discovery document, when it could be read. */
  readonly jwksUri?: string
  /** AWS's rule: the last certificate the JWKS host sends. */
  readonly jwksHost?: HostThumbprint
  /** Why the JWKS host could not be measured (discovery unreadable, host unreachable). */
  readonly jwksError?: string
  /** How the discovery document was trusted: a CA, or the issuer host's thumbprint. */
  readonly discoveryTrustedBy?: 'ca' | 'thumbprint'
  /** True when both thumbprints were measured and are not equal. */
  readonly differ: boolean
}

/** Options of {@link computeThumbprints}. */
interface ThumbprintOptions {
  /** Extra trusted CA certificates (PEM), on top of the system CAs. */
  readonly ca?: readonly string[]
  readonly timeoutMs?: number
}

function summary(c: X509Certificate): CertificateSummary {
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    sha1: sha1Thumbprint(c),
    selfIssued: c.subject === c.issuer && c.verify(c.publicKey),
  }
}

/** Measures one host: what it sends, and whether it is trusted. */
async function measureHost(
  ep: TlsEndpoint,
  o: { readonly ca: readonly string[]; readonly timeoutMs: number },
): Promise<HostThumbprint> {
  const [chain, trust] = await Promise.all([readSentChain(ep, o.timeoutMs), checkTrust(ep, o)])
  const last = chain[chain.length - 1]
  if (last === undefined)
    throw new IssuerFetchError(`${endpointLabel(ep)} sent no certificate`, { failure: 'invalid' })
  return {
    host: endpointLabel(ep),
    thumbprint: sha1Thumbprint(last),
    chain: chain.map(summary),
    trusted: trust.trusted,
    ...(trust.reason !== undefined ? { trustError: trust.reason } : {}),
  }
}

function sameEndpoint(a: TlsEndpoint, b: TlsEndpoint): boolean {
  return a.host === b.host && a.port === b.port && a.servername === b.servername
}

/**
 * The thumbprints IAM OIDC providers need, by both rules: eksctl's (the issuer host)
 * and AWS's (the host of the jwks_uri that discovery names). The discovery document
 * is fetched trusting the system CAs plus `ca`, or, when the issuer's certificate is
 * not trusted, by its thumbprint, as IAM does. Throws {@link IssuerFetchError} when the
 * issuer host cannot be reached; problems past that point are reported in `jwksError`.
 */
export async function computeThumbprints(
  issuer: string,
  o: ThumbprintOptions = {},
): Promise<ThumbprintReport> {
  const issuerUrl = parseIssuer(issuer)
  const opts = { ca: o.ca ?? [], timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS }
  const issuerEp = endpointOf(issuerUrl)
  const issuerHost = await measureHost(issuerEp, opts)
  const trust: Extract<FetchTrust, { kind: 'ca' | 'thumbprint' }> = issuerHost.trusted
    ? { kind: 'ca', ca: opts.ca }
    : { kind: 'thumbprint', thumbprint: issuerHost.thumbprint }
  const partial = { issuer, issuerHost, differ: false }
  let jwksUri: string
  try {
    const doc = await fetchJson(new URL(discoveryUrl(issuer)), trust, opts.timeoutMs)
    const uri = (doc as { jwks_uri?: unknown } | null)?.jwks_uri
    if (typeof uri !== 'string')
      return {
        ...partial,
        discoveryTrustedBy: trust.kind,
        jwksError: 'discovery document has no jwks_uri',
      }
    jwksUri = uri
  } catch (e) {
    return { ...partial, jwksError: `discovery: ${describeError(e)}` }
  }
  const withUri = { ...partial, jwksUri, discoveryTrustedBy: trust.kind }
  let jwksEp: TlsEndpoint
  try {
    jwksEp = endpointOf(parseJwksUri(jwksUri))
  } catch (e) {
    return { ...withUri, jwksError: describeError(e) }
  }
  try {
    const jwksHost = sameEndpoint(jwksEp, issuerEp) ? issuerHost : await measureHost(jwksEp, opts)
    return { ...withUri, jwksHost, differ: jwksHost.thumbprint !== issuerHost.thumbprint }
  } catch (e) {
    return { ...withUri, jwksError: describeError(e) }
  }
}
