import type { DecisionRecord } from '../store/index.js'

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** One decision as a JSON object for `irsa logs --output json` (time as ISO 8601). */
export function decisionJson(d: DecisionRecord): Record<string, unknown> {
  return {
    time: iso(d.at),
    requestId: d.requestId,
    ...(d.accountId !== undefined ? { accountId: d.accountId } : {}),
    ...(d.principal !== undefined ? { principal: d.principal } : {}),
    action: d.action,
    ...(d.resource !== undefined ? { resource: d.resource } : {}),
    decision: d.decision,
    ...(d.errorCode !== undefined ? { errorCode: d.errorCode } : {}),
    reasons: d.reasons,
  }
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v === null) return 'null'
  return undefined
}

/**
 * Reasons as indented text: a string or number as it is, a list as one `- item` line per
 * element, an object as `key: value` lines (nested values indented below their key).
 * Empty lists and objects are left out.
 */
function reasonLines(reasons: unknown, indent: string): string[] {
  const flat = scalar(reasons)
  if (flat !== undefined) return [`${indent}${flat}`]
  if (Array.isArray(reasons))
    return reasons.flatMap((r) => {
      const one = scalar(r)
      if (one !== undefined) return [`${indent}- ${one}`]
      const [first, ...rest] = reasonLines(r, indent + '  ')
      return first === undefined ? [] : [`${indent}- ${first.slice(indent.length + 2)}`, ...rest]
    })
  if (typeof reasons !== 'object') return []
  const out: string[] = []
  for (const [key, value] of Object.entries(reasons as Record<string, unknown>)) {
    const one = scalar(value)
    if (one !== undefined) out.push(`${indent}${key}: ${one}`)
    else if (Array.isArray(value) && value.length === 0) continue
    else if (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
      continue
    else out.push(`${indent}${key}:`, ...reasonLines(value, indent + '  '))
  }
  return out
}

/**
 * Decisions as text, one header line each (time, request id, decision, action, principal,
 * resource, error code) and the reasons below it.
 */
export function formatDecisions(records: readonly DecisionRecord[]): string {
  if (records.length === 0) return 'no decisions recorded\n'
  const out: string[] = []
  for (const d of records) {
    const head = [
      iso(d.at),
      d.requestId,
      d.decision,
      d.action,
      d.principal ?? '-',
      d.resource ?? '-',
      ...(d.errorCode !== undefined ? [d.errorCode] : []),
    ]
    out.push(head.join('  '))
    out.push(...reasonLines(d.reasons, '    '))
  }
  return out.join('\n') + '\n'
}
