import type { JsonObject } from '../webhook/index.js'

/**
 * Watch events of one cluster, kept in a ring of the most recent changes so a watch can
 * resume from a resourceVersion; one older than the ring is 410 Gone (`Expired`), as
 * kube-apiserver answers a version compacted out of etcd.
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

/** Changes kept for resuming watches. */
export const WATCH_HISTORY = 1000

/** Listener of new changes. */
export type WatchListener = (e: WatchEvent) => void

export class WatchHub {
  readonly #ring: WatchEvent[] = []
  readonly #listeners = new Set<WatchListener>()
  /** The resourceVersion the history starts after (changes up to it are gone). */
  #floor: number

  constructor(startRevision: number) {
    this.#floor = startRevision
  }

  publish(e: WatchEvent): void {
    this.#ring.push(e)
    if (this.#ring.length > WATCH_HISTORY)
      this.#floor = this.#ring.shift()?.resourceVersion ?? this.#floor
    for (const l of this.#listeners) l(e)
  }

  /**
   * The changes after `fromRevision` (undefined when they are no longer kept), and from
   * then on every new change to `listener` until the returned function is called.
   */
  subscribe(
    fromRevision: number,
    listener: WatchListener,
  ): { readonly backlog: readonly WatchEvent[]; readonly stop: () => void } | undefined {
    if (fromRevision < this.#floor) return undefined
    const backlog = this.#ring.filter((e) => e.resourceVersion > fromRevision)
    this.#listeners.add(listener)
    return { backlog, stop: () => this.#listeners.delete(listener) }
  }

  /** The oldest resourceVersion a watch may start from. */
  floor(): number {
    return this.#floor
  }
}
