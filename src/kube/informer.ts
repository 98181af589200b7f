import type { Clock, Logger } from '../core/index.js'
import { createBackoff } from './backoff.js'
import type { KubeClient, WatchEvent } from './client.js'
import { isKubeError, KubeError } from './errors.js'
import { createRateLimiter } from './rate-limit.js'
import { stripServiceAccount, type StrippedServiceAccount } from './service-accounts.js'

/** The bounded API lookup on a cache miss. */
export interface LookupOptions {
  /** How long a pod admission waits for the lookup; 0 turns lookups off (default 2000 ms). */
  readonly gracePeriodMs?: number
  /** Timeout of the GET itself, which may outlive the wait and still fill the cache (default 5000 ms). */
  readonly timeoutMs?: number
  /** How long a 404 is remembered (default 5000 ms); a watch ADDED clears it sooner. */
  readonly negativeTtlMs?: number
  /** Lookups per second, and the burst (defaults 10 and 20, as the reference). */
  readonly perSecond?: number
  readonly burst?: number
}

/** Options of {@link createServiceAccountInformer}. */
interface ServiceAccountInformerOptions {
  readonly client: KubeClient
  /** `--annotation-prefix`: only annotations under it are kept. */
  readonly annotationPrefix: string
  readonly clock: Clock
  readonly logger: Logger
  readonly lookup?: LookupOptions
  /** Retry delays after a failure: from `initialMs` (500), doubling, at most `maxMs` (30 s). */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number }
  /** Items per list page (default 500). */
  readonly pageSize?: number
  /** `timeoutSeconds` of each watch (default 300); the watch is then resumed. */
  readonly watchTimeoutSeconds?: number
  /** Called after each list (`LIST`) and each applied watch event (its type). */
  readonly onApplied?: (type: string) => void
  /** Waits `ms` or until `signal` aborts (real timers by default; tests pass their own). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

/** Counters for tests and logs. */
interface InformerStats {
  readonly lists: number
  readonly watches: number
  readonly lookups: number
}

/**
 * A ServiceAccount cache over every namespace, kept by list and watch, that the webhook
 * reads through `get` and `ready` (it satisfies the webhook's `ServiceAccountSource`).
 */
export interface ServiceAccountInformer {
  start(): void
  /** Stops watching; resolves when the loop has ended. */
  stop(): Promise<void>
  /**
   * The cached ServiceAccount; on a miss, a bounded API lookup (de-duplicated per key,
   * rate-limited, a 404 remembered briefly). `undefined` when it does not exist or the
   * grace period ran out.
   */
  get(
    namespace: string,
    name: string,
  ): StrippedServiceAccount | undefined | Promise<StrippedServiceAccount | undefined>
  /** True once the first complete list has been stored. */
  ready(): boolean
  /** Resolves once {@link ready}. */
  synced(): Promise<void>
  /** How many ServiceAccounts are cached. */
  size(): number
  /** The resourceVersion the next watch resumes from. */
  resourceVersion(): string
  stats(): InformerStats
}

const NEGATIVE_CACHE_MAX = 10_000

function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve()
      return
    }
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function apiMessage(body: unknown, status: number): string {
  return isRecord(body) && typeof body['message'] === 'string'
    ? body['message']
    : `status ${status}`
}

/**
 * Creates the informer: lists ServiceAccounts page by page, then watches from the list's
 * resourceVersion with bookmarks; a dropped watch resumes from the last resourceVersion
 * seen, a 410 Gone relists, failures back off with a cap.
 */
export function createServiceAccountInformer(
  o: ServiceAccountInformerOptions,
): ServiceAccountInformer {
  const { client, clock, logger } = o
  const prefix = o.annotationPrefix
  const pageSize = o.pageSize ?? 500
  const watchTimeout = o.watchTimeoutSeconds ?? 300
  const sleep = o.sleep ?? realSleep
  const backoff = createBackoff(o.backoff)
  const grace = o.lookup?.gracePeriodMs ?? 2000
  const lookupTimeout = o.lookup?.timeoutMs ?? 5000
  const negativeTtl = o.lookup?.negativeTtlMs ?? 5000
  const limiter = createRateLimiter({
    clock,
    perSecond: o.lookup?.perSecond ?? 10,
    burst: o.lookup?.burst ?? 20,
  })

  let store = new Map<string, StrippedServiceAccount>()
  const negative = new Map<string, number>()
  const inFlight = new Map<string, Promise<StrippedServiceAccount | undefined>>()
  const namespaces = new Map<string, string>()
  const intern = (s: string): string => {
    const had = namespaces.get(s)
    if (had !== undefined) return had
    namespaces.set(s, s)
    return s
  }
  let rv = ''
  let isReady = false
  let onSynced: (() => void) | undefined
  const syncedPromise = new Promise<void>((resolve) => {
    onSynced = resolve
  })
  const stats = { lists: 0, watches: 0, lookups: 0 }
  const abort = new AbortController()
  let loop: Promise<void> | undefined
  const stopped = (): boolean => abort.signal.aborted

  async function list(): Promise<void> {
    stats.lists++
    const fresh = new Map<string, StrippedServiceAccount>()
    let cont = ''
    let listRv: string
    do {
      const q = `/api/v1/serviceaccounts?limit=${pageSize}${cont === '' ? '' : `&continue=${encodeURIComponent(cont)}`}`
      const r = await client.get(q, { timeoutMs: 60_000, signal: abort.signal })
      if (r.status !== 200) {
        throw new KubeError(
          'ERR_KUBE_API',
          `list ServiceAccounts: ${apiMessage(r.body, r.status)}`,
          r.status,
        )
      }
      const body = isRecord(r.body) ? r.body : {}
      const items = Array.isArray(body['items']) ? (body['items'] as unknown[]) : []
      for (const item of items) {
        const sa = stripServiceAccount(item, prefix, intern)
        if (sa !== undefined) fresh.set(`${sa.metadata.namespace}/${sa.metadata.name}`, sa)
      }
      const meta = isRecord(body['metadata']) ? body['metadata'] : {}
      listRv = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : ''
      cont = typeof meta['continue'] === 'string' ? meta['continue'] : ''
    } while (cont !== '' && !abort.signal.aborted)
    store = fresh
    rv = listRv
    negative.clear()
    if (!isReady) {
      isReady = true
      onSynced?.()
    }
    logger.info({ serviceAccounts: fresh.size, resourceVersion: rv }, 'ServiceAccounts listed')
    o.onApplied?.('LIST')
  }

  function apply(ev: WatchEvent): void {
    const obj = ev.object
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const sa = stripServiceAccount(obj, prefix, intern)
        if (sa === undefined) return
        const key = `${sa.metadata.namespace}/${sa.metadata.name}`
        store.set(key, sa)
        negative.delete(key)
        if (sa.metadata.resourceVersion !== '') rv = sa.metadata.resourceVersion
        return
      }
      case 'DELETED': {
        const sa = stripServiceAccount(obj, prefix)
        if (sa === undefined) return
        store.delete(`${sa.metadata.namespace}/${sa.metadata.name}`)
        if (sa.metadata.resourceVersion !== '') rv = sa.metadata.resourceVersion
        return
      }
      case 'BOOKMARK': {
        const m = isRecord(obj) && isRecord(obj['metadata']) ? obj['metadata'] : {}
        if (typeof m['resourceVersion'] === 'string' && m['resourceVersion'] !== '')
          rv = m['resourceVersion']
        return
      }
      case 'ERROR': {
        const code = isRecord(obj) && typeof obj['code'] === 'number' ? obj['code'] : 0
        throw new KubeError('ERR_KUBE_API', `watch: ${apiMessage(obj, code)}`, code)
      }
      default:
        return
    }
  }

  async function watchOnce(): Promise<number> {
    stats.watches++
    let events = 0
    const path =
      `/api/v1/serviceaccounts?watch=1&allowWatchBookmarks=true` +
      `&resourceVersion=${encodeURIComponent(rv)}&timeoutSeconds=${watchTimeout}`
    await client.watch(
      path,
      (ev) => {
        events++
        apply(ev)
        o.onApplied?.(ev.type)
      },
      { signal: abort.signal, idleTimeoutMs: (watchTimeout + 60) * 1000 },
    )
    return events
  }

  async function run(): Promise<void> {
    let needList = true
    while (!abort.signal.aborted) {
      try {
        if (needList) {
          await list()
          needList = false
          backoff.reset()
        }
        const started = clock.now()
        const events = await watchOnce()
        if (stopped()) break
        // A watch that ends at once with nothing is a failure in disguise: back off.
        if (events === 0 && clock.now() - started < 1000) await sleep(backoff.next(), abort.signal)
        else backoff.reset()
      } catch (e) {
        if (stopped()) break
        // A watch that is too old relists at once; a list that fails (even with 410, an
        // expired continue token) backs off like any other failure.
        if (isKubeError(e, 410) && !needList) {
          logger.info({ resourceVersion: rv }, 'ServiceAccount watch expired (410 Gone): relisting')
          needList = true
          continue
        }
        const delay = backoff.next()
        logger.warn(
          { err: e instanceof Error ? e.message : String(e), retryInMs: delay, relist: needList },
          'ServiceAccount informer error',
        )
        await sleep(delay, abort.signal)
      }
    }
  }

  async function lookup(
    namespace: string,
    name: string,
    key: string,
  ): Promise<StrippedServiceAccount | undefined> {
    stats.lookups++
    try {
      const r = await client.get(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`,
        { timeoutMs: lookupTimeout },
      )
      if (r.status === 200) {
        const sa = stripServiceAccount(r.body, prefix, intern)
        if (sa === undefined) return undefined
        const cached = store.get(key)
        if (cached !== undefined) return cached
        store.set(key, sa)
        return sa
      }
      if (r.status === 404) {
        if (negative.size >= NEGATIVE_CACHE_MAX) {
          const oldest = negative.keys().next()
          if (oldest.done !== true) negative.delete(oldest.value)
        }
        negative.set(key, clock.now() + negativeTtl)
        logger.info({ namespace, serviceAccount: name }, 'ServiceAccount not found')
        return undefined
      }
      logger.warn(
        { namespace, serviceAccount: name, status: r.status },
        'ServiceAccount lookup failed',
      )
      return undefined
    } catch (e) {
      logger.warn(
        { namespace, serviceAccount: name, err: e instanceof Error ? e.message : String(e) },
        'ServiceAccount lookup failed',
      )
      return undefined
    }
  }

  function withinGrace(
    p: Promise<StrippedServiceAccount | undefined>,
  ): Promise<StrippedServiceAccount | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(undefined)
      }, grace)
      timer.unref()
      void p.then((sa) => {
        clearTimeout(timer)
        resolve(sa)
      })
    })
  }

  return {
    start() {
      loop ??= run()
    },
    async stop() {
      abort.abort()
      await loop
      client.close()
    },
    get(namespace, name) {
      const key = `${namespace}/${name}`
      const hit = store.get(key)
      if (hit !== undefined || grace <= 0) return hit
      const until = negative.get(key)
      if (until !== undefined) {
        if (clock.now() < until) return undefined
        negative.delete(key)
      }
      let p = inFlight.get(key)
      if (p === undefined) {
        if (!limiter.take()) {
          logger.debug({ namespace, serviceAccount: name }, 'ServiceAccount lookup rate-limited')
          return undefined
        }
        p = lookup(namespace, name, key).finally(() => inFlight.delete(key))
        inFlight.set(key, p)
      }
      return withinGrace(p)
    },
    ready: () => isReady,
    synced: () => syncedPromise,
    size: () => store.size,
    resourceVersion: () => rv,
    stats: () => ({ ...stats }),
  }
}
