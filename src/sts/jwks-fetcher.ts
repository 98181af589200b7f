import type { Clock, Logger } from '../core/index.js'
import { createTokenKeySet, type TokenKeySet } from '../token/index.js'
import { fetchIssuerDocument, IssuerFetchError, type FetchedJson } from '../oidc/index.js'
import { JwksFetchError } from './errors.js'

/** STS's fetch deadline: an issuer slower than 5 seconds is unreachable. */
const DEFAULT_JWKS_TIMEOUT_MS = 5000
/** Key sets are kept this long when the issuer sends no `Cache-Control: max-age`. */
const DEFAULT_JWKS_TTL_SECONDS = 3600
/** The shortest and longest time a key set is kept, whatever the issuer says. */
const MIN_JWKS_TTL_SECONDS = 10
const MAX_JWKS_TTL_SECONDS = 86_400
/** A token with an unknown `kid` triggers a re-fetch at most this often per issuer. */
const DEFAULT_REFETCH_INTERVAL_SECONDS = 30

/** One key question: the keys of `issuer`, trusted through the provider's thumbprints. */
interface JwksRequest {
  /** The token's `iss`, exactly. */
  readonly issuer: string
  readonly thumbprints: readonly string[]
  /** The token's `kid` (`''` for none): a kid the cached set lacks may trigger a re-fetch. */
  readonly kid: string
}

/** Finds (and caches) the verification keys of OIDC issuers. */
export interface JwksFetcher {
  /**
   * The issuer's key set. Throws {@link JwksFetchError} when it cannot be fetched and
   * nothing usable is cached.
   */
  keys(req: JwksRequest): Promise<TokenKeySet>
  /** Forgets every cached key set (tests, `irsa doctor`). */
  clear(): void
}

/** What {@link createJwksFetcher} is configured with. */
export interface JwksFetcherOptions {
  readonly clock: Clock
  /** PEM CAs trusted besides the system's (the local stack's CA). */
  readonly trustedCaPems?: readonly string[]
  /** Deadline for discovery plus key set (default 5000). */
  readonly timeoutMs?: number
  /** Issuers (exact `iss` values) that may be fetched over plain http. */
  readonly allowInsecureIssuers?: readonly string[]
  /** Minimum seconds between re-fetches caused by unknown `kid`s (default 30). */
  readonly refetchIntervalSeconds?: number
  readonly logger?: Logger
}

interface Entry {
  readonly keys: TokenKeySet
  readonly kids: ReadonlySet<string>
  /** Epoch ms after which the set is re-fetched. */
  readonly freshUntil: number
  /** Epoch ms of the last fetch attempt (successful or not). */
  readonly fetchedAt: number
}

function clampTtl(maxAge: number | undefined): number {
  const ttl = maxAge ?? DEFAULT_JWKS_TTL_SECONDS
  return Math.min(MAX_JWKS_TTL_SECONDS, Math.max(MIN_JWKS_TTL_SECONDS, ttl))
}

function issuerUrl(issuer: string, insecure: boolean): URL {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new JwksFetchError('invalid', 'the token issuer is not a URL')
  }
  if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:'))
    throw new JwksFetchError('invalid', `${url.origin}: issuers must be https`)
  if (url.search !== '' || url.hash !== '')
    throw new JwksFetchError('invalid', `${url.origin}: an issuer has no query or fragment`)
  return url
}

/**
 * The JWKS fetcher of STS. For an issuer it GETs `ISSUER/.well-known/openid-configuration`,
 * then its `jwks_uri`, over https (plain http only for issuers explicitly allowed), trusting
 * the system CAs plus `trustedCaPems`, or else a certificate whose SHA-1 thumbprint is on
 * the provider's list (AWS's rule); the whole fetch has `timeoutMs`. The key set is kept
 * for the `Cache-Control: max-age` of the key set response (10 s to 24 h; 1 h when absent),
 * re-fetched early when a token names a `kid` it lacks (at most once per
 * `refetchIntervalSeconds` per issuer), and when a re-fetch fails the cached keys keep
 * working. Concurrent requests for one issuer share one fetch. Time comes from `clock`.
 */
export function createJwksFetcher(opts: JwksFetcherOptions): JwksFetcher {
  const ca = opts.trustedCaPems ?? []
  const timeoutMs = opts.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS
  const insecure = new Set(opts.allowInsecureIssuers ?? [])
  const refetchMs = (opts.refetchIntervalSeconds ?? DEFAULT_REFETCH_INTERVAL_SECONDS) * 1000
  const cache = new Map<string, Entry>()
  const inFlight = new Map<string, Promise<Entry>>()
  const lastAttempt = new Map<string, number>()

  async function fetchEntry(issuer: string, thumbprints: readonly string[]): Promise<Entry> {
    const base = issuerUrl(issuer, insecure.has(issuer))
    const started = performance.now()
    const left = (): number => Math.max(1, timeoutMs - (performance.now() - started))
    const trust = { kind: 'sts', ca, thumbprints } as const
    const discoveryUrl = new URL(
      `${base.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`,
      base,
    )
    const discovery = await fetchIssuerDocument(discoveryUrl, trust, left())
    const jwksUri = jwksUriOf(discovery, base, insecure.has(issuer))
    const jwks = await fetchIssuerDocument(jwksUri, trust, left())
    const doc = jwks.value
    if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys))
      throw new JwksFetchError('invalid', `${jwksUri.origin}${jwksUri.pathname}: not a JWK set`)
    const keys = createTokenKeySet(doc)
    const now = opts.clock.now()
    return {
      keys,
      kids: new Set(keys.keys.map((k) => k.kid)),
      freshUntil: now + clampTtl(jwks.maxAgeSeconds) * 1000,
      fetchedAt: now,
    }
  }

  function refresh(key: string, req: JwksRequest): Promise<Entry> {
    const running = inFlight.get(key)
    if (running !== undefined) return running
    lastAttempt.set(key, opts.clock.now())
    const p = fetchEntry(req.issuer, req.thumbprints).then(
      (entry) => {
        cache.set(key, entry)
        inFlight.delete(key)
        opts.logger?.debug({ issuer: req.issuer, keys: entry.kids.size }, 'jwks fetched')
        return entry
      },
      (e: unknown) => {
        inFlight.delete(key)
        throw e instanceof IssuerFetchError
          ? new JwksFetchError(e.failure, e.message, { cause: e })
          : e
      },
    )
    inFlight.set(key, p)
    return p
  }

  return {
    async keys(req) {
      // Keyed by the thumbprints too: a changed list must not reuse what the old one let in.
      const key =
        req.thumbprints.length === 0
          ? req.issuer
          : `${req.issuer}\n${[...req.thumbprints].sort().join(',')}`
      const now = opts.clock.now()
      const cached = cache.get(key)
      if (cached !== undefined) {
        const fresh = now < cached.freshUntil
        const knowsKid = cached.kids.has(req.kid)
        if (fresh && knowsKid) return cached.keys
        const recently = now - (lastAttempt.get(key) ?? -Infinity) < refetchMs
        if (recently && (fresh || knowsKid)) return cached.keys
        try {
          return (await refresh(key, req)).keys
        } catch (e) {
          opts.logger?.warn(
            { issuer: req.issuer, err: e instanceof Error ? e.message : String(e) },
            'jwks re-fetch failed; using the cached keys',
          )
          if (knowsKid || fresh) return cached.keys
          throw e
        }
      }
      return (await refresh(key, req)).keys
    },
    clear() {
      cache.clear()
      lastAttempt.clear()
    },
  }
}

function jwksUriOf(discovery: FetchedJson, base: URL, insecure: boolean): URL {
  const v = discovery.value
  const raw =
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['jwks_uri'] : undefined
  if (typeof raw !== 'string')
    throw new JwksFetchError('invalid', `${base.origin}: the discovery document has no jwks_uri`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new JwksFetchError('invalid', `${base.origin}: jwks_uri is not a URL`)
  }
  if (url.protocol !== 'https:' && !(insecure && url.protocol === 'http:'))
    throw new JwksFetchError('invalid', `${base.origin}: jwks_uri must be https`)
  return url
}
