import type { IncomingMessage, ServerResponse } from 'node:http'
import { IrsaError, type Logger } from '../core/index.js'
import { createIssuerApp, type IssuerApp, type IssuerKeySet } from '../oidc/index.js'
import type { Store } from '../store/index.js'
import { loadPublicKeys, type PublicKeyInfo } from '../token/index.js'
import { servesIssuer } from './external-issuer.js'

/**
 * The issuers of every local cluster in the store, one at `/id/<issuer id>` each, kept in
 * step with the store: before each request the clusters and their keys are read (a few
 * indexed rows) and compared with what is published, and only a change re-renders the
 * documents. So a cluster created, or a key rotated, by `irsa cluster …` from another
 * process is served on the next request, with no restart. Nothing is read until the
 * first request or {@link sync} call, so `issuerUrlOf` may learn its port after creation.
 */
export function createClusterIssuers(deps: {
  readonly store: Store
  readonly logger: Logger
  /** The issuer URL a cluster is served under now (the stack's host and port). */
  readonly issuerUrlOf: (issuerId: string) => string
}): IssuerApp & { sync(): void } {
  const { store, logger, issuerUrlOf } = deps
  const app = createIssuerApp({ logger })
  const publicKeys = new Map<string, PublicKeyInfo>()
  let version = ''
  let served = new Set<string>()

  const publicKey = (kid: string, pem: string): PublicKeyInfo => {
    let k = publicKeys.get(kid)
    if (k === undefined) {
      const loaded = loadPublicKeys(pem, `signing key ${kid}`)[0]
      if (loaded === undefined)
        throw new IrsaError('ERR_STACK_KEY', `signing key ${kid} has no public key`)
      k = loaded
      publicKeys.set(kid, k)
    }
    return k
  }

  function sync(): void {
    // An issuer hosted elsewhere (`--issuer`) is the user's to publish, not the stack's.
    const clusters = store.clusters.list().filter(servesIssuer)
    const sets = clusters.map((c) => ({ c, keys: store.clusters.listKeys(c.arn) }))
    const next = sets
      .map(
        ({ c, keys }) =>
          `${c.issuerId}:${keys.map((k) => `${k.kid}${k.current ? '*' : ''}`).join(',')}`,
      )
      .join(';')
    if (next === version) return
    const now = new Set<string>()
    for (const { c, keys } of sets) {
      const signing = keys.find((k) => k.current)
      if (signing === undefined) continue
      const issuer = issuerUrlOf(c.issuerId)
      const set: IssuerKeySet = {
        keys: keys.map((k) => ({
          key: publicKey(k.kid, k.publicPem),
          publishedAt: k.publishedAt,
          ...(k.signingEndedAt !== undefined ? { signingEndedAt: k.signingEndedAt } : {}),
        })),
        signingKid: signing.kid,
      }
      app.setIssuer({ issuer, keys: set })
      now.add(issuer)
    }
    for (const issuer of served) if (!now.has(issuer)) app.removeIssuer(issuer)
    served = now
    version = next
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      sync()
    } catch (e) {
      logger.error(
        { err: e instanceof Error ? e.message : String(e) },
        'cluster issuers not refreshed',
      )
    }
    app(req, res)
  }
  return Object.assign(handler, {
    setIssuer: (config: Parameters<IssuerApp['setIssuer']>[0]) => {
      app.setIssuer(config)
    },
    removeIssuer: (issuer: string) => app.removeIssuer(issuer),
    routes: () => app.routes(),
    sync,
  })
}
