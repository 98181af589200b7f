import type { KubeObjectChangeRecord, Store } from '../store/index.js'
import type { JsonObject } from '../webhook/index.js'
import { toObject } from './registry.js'

/**
 * Watch events of one cluster, read from the store's change log (`kube_changes`, written
 * in the transaction of every object write) so a watch resumes from any resourceVersion
 * the log still holds, across restarts of `irsa up`; one older than the log's floor is
 * 410 Gone (`Expired`), as kube-apiserver answers a version compacted out of etcd. New
 * changes reach open watches at once when this process made them ({@link WatchHub.publish})
 * and within {@link WATCH_POLL_MS} when another process did (`irsa apply`).
 */

/** One change, as a watch stream carries it. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  /** The store kind (`Pod`). */
  readonly kind: string
  /** '' for cluster-scoped kinds. */
  readonly namespace: string
  readonly object: JsonObject
  readonly resourceVersion: number
}

/** How often (ms) open watches look for changes committed by another process. */
export const WATCH_POLL_MS = 100

/** Changes read from the log at a time. */
const PAGE = 1000

/** One open watch. */
export interface WatchSubscriber {
  /** Every change after the watch's resourceVersion, in order. */
  readonly onEvent: (e: WatchEvent) => void
  /**
   * The changes the watch would need next were pruned before it read them (another
   * process wrote more than the log keeps between two polls): it must end (410).
   */
  readonly onExpired: () => void
}

/** A change of the log as a watch event. */
export function watchEvent(c: KubeObjectChangeRecord): WatchEvent {
  return {
    type: c.type,
    kind: c.record.kind,
    namespace: c.record.namespace,
    object: toObject(c.record),
    resourceVersion: c.record.resourceVersion,
  }
}

export class WatchHub {
  readonly #store: Store
  readonly #arn: string
  readonly #pollMs: number
  readonly #subs = new Set<WatchSubscriber>()
  /** The newest revision delivered to the subscribers. */
  #seen = 0
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(store: Store, clusterArn: string, pollMs = WATCH_POLL_MS) {
    this.#store = store
    this.#arn = clusterArn
    this.#pollMs = pollMs
  }

  /**
   * Told of a change this process made (after its transaction): delivered at once when it
   * is the next one, else what the log holds since the last delivered one is.
   */
  publish(e: WatchEvent): void {
    if (this.#subs.size === 0 || e.resourceVersion <= this.#seen) return
    if (e.resourceVersion === this.#seen + 1) {
      this.#seen = e.resourceVersion
      for (const s of [...this.#subs]) s.onEvent(e)
      return
    }
    this.sync()
  }

  /** Delivers what the log holds after the last delivered change (a poll). */
  sync(): void {
    if (this.#subs.size === 0) return
    const revision = this.#store.kubeObjects.revision(this.#arn)
    while (this.#seen < revision && this.#subs.size > 0) {
      const page = this.#store.kubeObjects.changes(this.#arn, this.#seen, PAGE)
      if (this.#seen < page.floor) {
        const gone = [...this.#subs]
        this.#subs.clear()
        this.#idle()
        this.#seen = revision
        for (const s of gone) s.onExpired()
        return
      }
      if (page.changes.length === 0) return
      for (const c of page.changes) {
        if (c.record.resourceVersion > revision) return
        this.#seen = c.record.resourceVersion
        const e = watchEvent(c)
        for (const s of [...this.#subs]) s.onEvent(e)
      }
    }
  }

  /**
   * The changes after `fromRevision` (undefined when the log no longer has them all), and
   * from then on every new change to `sub` until the returned function is called.
   */
  subscribe(
    fromRevision: number,
    sub: WatchSubscriber,
  ): { readonly backlog: readonly WatchEvent[]; readonly stop: () => void } | undefined {
    if (this.#subs.size === 0) this.#seen = this.#store.kubeObjects.revision(this.#arn)
    else this.sync()
    const backlog: WatchEvent[] = []
    let after = fromRevision
    while (after < this.#seen) {
      const page = this.#store.kubeObjects.changes(this.#arn, after, PAGE)
      if (after < page.floor) return undefined
      if (page.changes.length === 0) break
      for (const c of page.changes) {
        if (c.record.resourceVersion > this.#seen) break
        backlog.push(watchEvent(c))
        after = c.record.resourceVersion
      }
      if (page.changes.length < PAGE) break
    }
    // A watch from a version not yet reached skips the changes up to it.
    const own: WatchSubscriber =
      fromRevision > this.#seen
        ? {
            onEvent: (e) => {
              if (e.resourceVersion > fromRevision) sub.onEvent(e)
            },
            onExpired: sub.onExpired,
          }
        : sub
    this.#subs.add(own)
    this.#timer ??= setInterval(() => {
      this.sync()
    }, this.#pollMs)
    this.#timer.unref()
    return {
      backlog,
      stop: () => {
        this.#subs.delete(own)
        if (this.#subs.size === 0) this.#idle()
      },
    }
  }

  /** The oldest resourceVersion a watch may start from. */
  floor(): number {
    return this.#store.kubeObjects.changes(this.#arn, Number.MAX_SAFE_INTEGER, 0).floor
  }

  /** Open watches (for tests). */
  get watchers(): number {
    return this.#subs.size
  }

  #idle(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}
