/**
 * The per-request working state of one evaluation: the request's context looked up
 * case-insensitively (condition key names are case-insensitive,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html),
 * the context keys found missing, and, when explaining, the reason the current statement
 * failed.
 */
import { arnColons } from './arn.js'
import { viewPrincipal, type PrincipalView } from './principal.js'
import type { Resolver } from './template.js'
import type { ContextEntry, EvalRequest, MismatchReason } from './types.js'

export interface EvalState {
  readonly req: EvalRequest
  /**
   * The request's action (lower-cased) and resource, read once: matchers read these from
   * the state, whose shape is always the same, not from requests of their callers' shapes.
   */
  readonly action: string
  readonly resource: string
  readonly colons: readonly number[] | undefined
  /** Set when explaining: statement matchers then record why they failed. */
  readonly trace: boolean
  reason: MismatchReason | undefined
  /** How the last principal matched: 0 no, 1 at account level only, 2 directly. */
  principalLevel: number
  /** The request principal, analysed on first use (undefined: anonymous). */
  view: PrincipalView | undefined
  viewDone: boolean
  /**
   * The context's keys and entries, read once on the first lookup. Lookups then scan these
   * arrays instead of indexing the context object: contexts come in many shapes, and keyed
   * loads on objects of many shapes go through V8's global megamorphic cache, whose
   * collisions made evaluation speed vary two-fold from one process to the next.
   */
  keys: string[] | undefined
  entries: (ContextEntry | undefined)[] | undefined
  /**
   * The missing context keys as first written, and their lower-cased forms, both kept sorted
   * by the lower-cased form (a request misses a few keys at most: plain arrays, no Map).
   */
  missing: string[] | undefined
  missingLower: string[] | undefined
  /** Resolves policy variables against the request context (noting missing keys). */
  readonly resolve: Resolver
  /** Resolves like `resolve` but notes nothing: for describing values in explanations. */
  readonly peek: Resolver
}

/** Starts the state for one request. */
export function newState(req: EvalRequest, trace: boolean): EvalState {
  const resource = req.resource
  const st: EvalState = {
    req,
    action: req.action.toLowerCase(),
    resource,
    colons: arnColons(resource),
    trace,
    reason: undefined,
    principalLevel: 0,
    view: undefined,
    viewDone: false,
    keys: undefined,
    entries: undefined,
    missing: undefined,
    missingLower: undefined,
    resolve: (key, lower) => {
      const e = lookup(st, key, lower)
      if (e === undefined) {
        noteMissing(st, key, lower)
        return undefined
      }
      // Multivalued keys cannot be policy variables (reference_policies_variables.html).
      return isMultivalued(e) ? undefined : e.values[0]
    },
    peek: (key, lower) => {
      const e = lookup(st, key, lower)
      return e === undefined || isMultivalued(e) ? undefined : e.values[0]
    },
  }
  return st
}

/**
 * The context entry for a key, matched case-insensitively; undefined when absent. A
 * single-valued entry with no value counts as absent.
 */
export function lookup(st: EvalState, key: string, lower: string): ContextEntry | undefined {
  let keys = st.keys
  let entries = st.entries
  if (keys === undefined || entries === undefined) {
    const ctx = st.req.context
    keys = st.keys = Object.keys(ctx)
    entries = st.entries = Object.values(ctx)
  }
  let e: ContextEntry | undefined
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === key) {
      e = entries[i]
      break
    }
  }
  if (e === undefined) {
    // The first key, in the context's order, that equals `key` ignoring case.
    for (let i = 0; i < keys.length; i++) {
      if (!equalsLowered(keys[i] as string, lower)) continue
      e = entries[i]
      if (e !== undefined) break
    }
  }
  if (e !== undefined && e.values.length === 0 && !e.type.endsWith('List')) return undefined
  return e
}

/**
 * Whether `k.toLowerCase() === lower`, without building the lower-cased copy when `k` is
 * ASCII up to the first difference (a non-ASCII character falls back to toLowerCase, whose
 * special cases can change the length).
 */
function equalsLowered(k: string, lower: string): boolean {
  if (k.length === lower.length) {
    for (let i = 0; i < k.length; i++) {
      let c = k.charCodeAt(i)
      if (c >= 0x80) return k.toLowerCase() === lower
      if (c >= 0x41 && c <= 0x5a) c += 0x20
      if (c !== lower.charCodeAt(i)) return false
    }
    return true
  }
  for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) >= 0x80) return k.toLowerCase() === lower
  return false
}

/** Multivalued: a list type, or (defensively) a single type carrying several values. */
export function isMultivalued(e: ContextEntry): boolean {
  return e.type.endsWith('List') || e.values.length !== 1
}

/** Records that a condition or variable referred to a key the request did not carry. */
export function noteMissing(st: EvalState, key: string, lower: string): void {
  const keys = st.missing
  const lowers = st.missingLower
  if (keys === undefined || lowers === undefined) {
    st.missing = [key]
    st.missingLower = [lower]
    return
  }
  // Scan down from the greatest: stop at the key itself (already noted) or where it belongs.
  let i = lowers.length
  while (i > 0) {
    const l = lowers[i - 1] as string
    if (l === lower) return
    if (l < lower) break
    i--
  }
  keys.splice(i, 0, key)
  lowers.splice(i, 0, lower)
}

/** The missing keys, sorted (case-insensitively) and de-duplicated. */
export function missingKeys(st: EvalState): readonly string[] {
  return st.missing ?? NONE
}

const NONE: readonly string[] = Object.freeze([])

/** The request's principal, analysed once per request. */
export function principalView(st: EvalState): PrincipalView | undefined {
  if (!st.viewDone) {
    st.viewDone = true
    const p = st.req.principal
    st.view = p === undefined ? undefined : viewPrincipal(p)
  }
  return st.view
}
