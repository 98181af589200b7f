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

function reasonLines(reasons: unknown, indent: string): string[] {
  if (Array.isArray(reasons)) return reasons.flatMap((r) => reasonLines(r, indent))
  if (typeof reasons === 'string') return [`${indent}- ${reasons}`]
  if (reasons === null || reasons === undefined) return []
  return [`${indent}- ${JSON.stringify(reasons)}`]
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
