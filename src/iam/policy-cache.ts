import {
  compilePolicy,
  type CompiledPolicy,
  type PolicyKind,
  type SourcePolicyType,
} from '../policy/index.js'

/** Default number of compiled policies kept. */
const DEFAULT_POLICY_CACHE_SIZE = 2048

/**
 * Compiled policies, keyed by everything that shapes the compiled form: the kind, the
 * source id and type (they end up in StatementRefs) and the document text itself. A new
 * policy version, an edited inline policy or a changed trust policy is new text, so a
 * stale entry can never be returned; old entries fall out least-recently-used first.
 */
export class PolicyCache {
  readonly #max: number
  readonly #entries = new Map<string, CompiledPolicy>()
  #hits = 0
  #misses = 0

  constructor(max = DEFAULT_POLICY_CACHE_SIZE) {
    this.#max = Math.max(1, max)
  }

  /** The compiled policy for `text`; compiles (and may throw PolicyValidationError) on a miss. */
  get(text: string, kind: PolicyKind, id: string, type: SourcePolicyType): CompiledPolicy {
    const key = `${kind}\u0000${type}\u0000${id}\u0000${text}`
    const found = this.#entries.get(key)
    if (found !== undefined) {
      this.#hits++
      this.#entries.delete(key)
      this.#entries.set(key, found)
      return found
    }
    this.#misses++
    const compiled = compilePolicy(text, kind, { id, type })
    this.#entries.set(key, compiled)
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
    return compiled
  }

  /** Hits, misses and size, for tests and diagnostics. */
  stats(): { hits: number; misses: number; size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size }
  }
}
