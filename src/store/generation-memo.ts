/** Entries a {@link GenerationMemo} keeps before it is cleared. */
export const GENERATION_MEMO_MAX_ENTRIES = 4096

interface Memo<T> {
  readonly value: T
  readonly generation: number
}

/**
 * Values read from the store, reused while the store's generation
 * (`Store.generation()`) stays the same: a hot path (an assume call, an admission
 * review) costs one small statement instead of a row read, and any change to the
 * database (this process's or another's) applies to the very next call. Only found
 * values are kept; the map is cleared when it grows past
 * {@link GENERATION_MEMO_MAX_ENTRIES}. A value is filed under the generation its
 * caller started at, so a value read after a change is still reloaded by the next
 * caller that sees the change. Values are shared between callers: treat them as
 * read-only.
 */
export class GenerationMemo<T> {
  readonly #map = new Map<string, Memo<T>>()

  /** The value under `key` at `generation`, loading it when absent or older. */
  get(key: string, generation: number, load: () => T | undefined): T | undefined {
    const hit = this.#map.get(key)
    if (hit !== undefined && hit.generation === generation) return hit.value
    const value = load()
    if (value === undefined) this.#map.delete(key)
    else {
      if (this.#map.size >= GENERATION_MEMO_MAX_ENTRIES) this.#map.clear()
      this.#map.set(key, { value, generation })
    }
    return value
  }
}
