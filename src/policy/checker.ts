/**
 * The issue collector of the policy validator: IAM's messages with the rank of the check
 * that produced them, so the first issue is the one IAM reports.
 */
import type { JsonObject, JsonValue } from './json.js'
import { MSG, TRUST_MSG } from './messages.js'
import type { PolicyKind } from './types.js'

/** Rank: the order in which IAM checks, so the first issue is IAM's answer. */
export const R = {
  json: 0,
  principalProhibited: 1,
  syntax: 2,
  managedVersion: 3,
  legacy: 4,
  sid: 5,
  actions: 6,
  resources: 7,
  resourceFormat: 8,
  vendor: 9,
  principalValue: 10,
} as const

interface Issue {
  readonly rank: number
  readonly message: string
  readonly path: string
  readonly offset: number | undefined
}

/** Collects issues for one document of one kind. */
export class Checker {
  readonly issues: Issue[] = []
  readonly kind: PolicyKind
  readonly trust: boolean
  /** Identity, boundary and session policies: the permission-policy rules. */
  readonly identity: boolean

  constructor(kind: PolicyKind) {
    this.kind = kind
    this.trust = kind === 'trust'
    this.identity = kind === 'identity' || kind === 'boundary' || kind === 'session'
  }

  add(rank: number, message: string, path: string, at: JsonValue | number | undefined): void {
    const offset = typeof at === 'number' ? at : at?.start
    this.issues.push({ rank, message, path, offset })
  }

  /** A grammar error: IAM words it differently for trust policies. */
  syntax(path: string, at: JsonValue | number | undefined): void {
    this.add(R.syntax, this.trust ? TRUST_MSG.syntax : MSG.syntax, path, at)
  }

  /** A string, or a non-empty list of strings; undefined (and an issue) otherwise. */
  strings(v: JsonValue, path: string): string[] | undefined {
    if (v.kind === 'string') return [v.value]
    if (v.kind === 'array') {
      const out: string[] = []
      for (const item of v.items) {
        if (item.kind !== 'string') {
          this.syntax(path, item)
          return undefined
        }
        out.push(item.value)
      }
      return out
    }
    this.syntax(path, v)
    return undefined
  }
}

/** The value of an object member, or undefined. */
export function member(o: JsonObject, key: string): JsonValue | undefined {
  for (const m of o.members) if (m.key === key) return m.value
  return undefined
}
