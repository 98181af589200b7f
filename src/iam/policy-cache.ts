import {
  compilePolicy,
  type CompiledPolicy,
  type PolicyKind,
  type SourcePolicyType,
} from '../policy/index.js'

/** Default number of compiled policies kept. */
const DEFAULT_POLICY_CACHE_SIZE = 2048

/**
 * Default total size of the cached documents' text: 16 MiB. Policy documents are Latin-1
 * (IAM's `policyDocumentType` pattern), one byte a character. That holds every 6,144-character
 * managed policy of a full cache of 2,048, but only 128 documents at the simulator's
 * 131,072-character `PolicyInputList` maximum, so a client sending near-quota documents
 * cannot grow memory without bound.
 */
export const DEFAULT_POLICY_CACHE_BYTES = 16 * 1024 * 1024

/** Bounds of a {@link PolicyCache}. */
export interface PolicyCacheLimits {
  /** Most entries kept (default {@link DEFAULT_POLICY_CACHE_SIZE}). */
  readonly maxEntries?: number
  /** Most document text kept, in bytes (default {@link DEFAULT_POLICY_CACHE_BYTES}). */
  readonly maxBytes?: number
}

interface Entry {
  readonly compiled: CompiledPolicy
  readonly bytes: number
}

/**
 * Compiled policies, keyed by everything that shapes the compiled form: the kind, the
 * source id and type (they end up in StatementRefs) and the document text itself. A new
 * policy version, an edited inline policy or a changed trust policy is new text, so a
 * stale entry can never be returned; old entries fall out least-recently-used first, as
 * soon as either the entry count or the total text size is over its bound. A document
 * larger than the whole byte bound is compiled but not kept.
 */
export class PolicyCache {
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #entries = new Map<string, Entry>()
  #bytes = 0
  #hits = 0
  #misses = 0

  constructor(limits: number | PolicyCacheLimits = {}) {
    const l = typeof limits === 'number' ? { maxEntries: limits } : limits
    this.#maxEntries = Math.max(1, l.maxEntries ?? DEFAULT_POLICY_CACHE_SIZE)
    this.#maxBytes = Math.max(1, l.maxBytes ?? DEFAULT_POLICY_CACHE_BYTES)
  }

  /** The compiled policy for `text`; compiles (and may throw PolicyValidationError) on a miss. */
  get(text: string, kind: PolicyKind, id: string, type: SourcePolicyType): CompiledPolicy {
    const key = `${kind}\u0000${type}\u0000${id}\u0000${text}`
    const found = this.#entries.get(key)
    if (found !== undefined) {
      this.#hits++
      this.#entries.delete(key)
      this.#entries.set(key, found)
      return found.compiled
    }
    this.#misses++
    const compiled = compilePolicy(text, kind, { id, type })
    const bytes = key.length
    if (bytes > this.#maxBytes) return compiled
    this.#entries.set(key, { compiled, bytes })
    this.#bytes += bytes
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.entries().next()
      if (oldest.done === true) break
      this.#entries.delete(oldest.value[0])
      this.#bytes -= oldest.value[1].bytes
    }
    return compiled
  }

  /** Hits, misses, entries and total key bytes, for tests and diagnostics. */
  stats(): { hits: number; misses: number; size: number; bytes: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size, bytes: this.#bytes }
  }
}
