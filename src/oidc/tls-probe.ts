import { createHash, X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import {
  checkServerIdentity,
  connect,
  rootCertificates,
  type DetailedPeerCertificate,
  type TLSSocket,
} from 'node:tls'
import { IssuerFetchError } from './errors.js'

/** Where to connect: host (no brackets), port, and the SNI name (none for IP addresses). */
export interface TlsEndpoint {
  readonly host: string
  readonly port: number
  readonly servername: string | undefined
}

/** The endpoint of an https URL (port 443 when none is given). */
export function endpointOf(url: URL): TlsEndpoint {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return {
    host,
    port: url.port === '' ? 443 : Number(url.port),
    servername: isIP(host) === 0 ? host : undefined,
  }
}

/** `host:port`, IPv6 in brackets. */
export function endpointLabel(ep: TlsEndpoint): string {
  return `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`
}

/** SHA-1 of a certificate's DER, lower-case hex: the IAM OIDC provider thumbprint form. */
export function sha1Thumbprint(cert: X509Certificate): string {
  return createHash('sha1').update(cert.raw).digest('hex')
}

/**
 * The CA option for a verified connection: Node's defaults (its bundled list, plus
 * `NODE_EXTRA_CA_CERTS`), or, with `extra`, the bundled list plus `extra`.
 */
export function trustStore(extra: readonly string[]): string[] | undefined {
  return extra.length === 0 ? undefined : [...rootCertificates, ...extra]
}

const REACH_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}

/** Why a connection failed, in a few words (`connection refused`, else the code). */
export function reachReason(err: NodeJS.ErrnoException): string {
  const reason = (err.code !== undefined ? REACH_REASONS[err.code] : undefined) ?? err.code
  return (reason ?? err.message).split('\n')[0] ?? 'request failed'
}

function reachError(ep: TlsEndpoint, err: NodeJS.ErrnoException): IssuerFetchError {
  return new IssuerFetchError(`cannot reach ${endpointLabel(ep)}: ${reachReason(err)}`, {
    failure: 'unreachable',
    cause: err,
  })
}

/** Opens a TLS connection, runs `inspect` once the handshake is done, then closes it. */
function withTls<T>(
  ep: TlsEndpoint,
  options: { ca: string[] | undefined; timeoutMs: number },
  inspect: (socket: TLSSocket) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: ep.host,
      port: ep.port,
      ...(ep.servername !== undefined ? { servername: ep.servername } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new IssuerFetchError(
          `cannot reach ${endpointLabel(ep)}: timed out after ${options.timeoutMs} ms`,
          { failure: 'unreachable' },
        ),
      )
    }, options.timeoutMs)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      try {
        resolve(inspect(socket))
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)))
      } finally {
        socket.destroy()
      }
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      reject(reachError(ep, err))
    })
  })
}

/** Walks Node's issuer links from the leaf; stops at a self-issued certificate or a loop. */
export function chainOf(peer: DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = []
  const seen = new Set<string>()
  // At run time a missing certificate is `{}` and the last issuer link may be absent.
  let c: Partial<DetailedPeerCertificate> | undefined = peer
  for (let i = 0; i < 32; i++) {
    if (c?.raw === undefined || c.fingerprint256 === undefined) break
    if (seen.has(c.fingerprint256)) break
    seen.add(c.fingerprint256)
    out.push(new X509Certificate(c.raw))
    c = c.issuerCertificate
  }
  return out
}

/**
 * The certificates the server sent, leaf first. The connection trusts nothing (an empty
 * CA list), so Node cannot complete the chain from a local store: with a trust store,
 * `getPeerCertificate(true)` appends the root it found there, which the server never
 * sent. Node orders the chain by issuer links, so a certificate the server sent that is
 * not part of the leaf's chain is left out.
 */
export function readSentChain(ep: TlsEndpoint, timeoutMs: number): Promise<X509Certificate[]> {
  return withTls(ep, { ca: [], timeoutMs }, (socket) => {
    const chain = chainOf(socket.getPeerCertificate(true))
    if (chain.length === 0)
      throw new IssuerFetchError(`${endpointLabel(ep)} sent no certificate`, {
        failure: 'invalid',
      })
    return chain
  })
}

/** Whether the server's certificate is trusted (system CAs plus `ca`) for its host name. */
interface TrustResult {
  readonly trusted: boolean
  /** Why not, e.g. `SELF_SIGNED_CERT_IN_CHAIN` or a host-name mismatch. */
  readonly reason?: string
}

/** Verifies the server's chain and host name against the system CAs plus `ca`. */
export function checkTrust(
  ep: TlsEndpoint,
  o: { readonly ca: readonly string[]; readonly timeoutMs: number },
): Promise<TrustResult> {
  return withTls(ep, { ca: trustStore(o.ca), timeoutMs: o.timeoutMs }, (socket) => {
    // Node reports a host-name mismatch only as a code; checkServerIdentity says why.
    const identity = checkServerIdentity(ep.servername ?? ep.host, socket.getPeerCertificate())
    if (!socket.authorized) {
      const code = String(socket.authorizationError)
      const why = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? identity?.message : undefined
      return { trusted: false, reason: why ?? code }
    }
    if (identity !== undefined) return { trusted: false, reason: identity.message }
    return { trusted: true }
  })
}
