import type { Explanation, MismatchReason, Position, StatementRef } from './types.js'

const list = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`
const pos = (p: Position): string => `${p.line}:${p.column}`

/** `FILE statement 2 (Sid "X", 4:5-12:6)`. */
export function describeStatement(s: StatementRef): string {
  const sid = s.sid === undefined ? '' : `Sid ${JSON.stringify(s.sid)}, `
  return `${s.policyId} statement ${s.index} (${sid}${pos(s.start)}-${pos(s.end)})`
}

/** One line saying why a statement did not apply. */
export function describeReason(r: MismatchReason): string {
  switch (r.element) {
    case 'action':
      return r.negated === true
        ? `action ${r.action} is excluded by NotAction ${list(r.patterns ?? [])}`
        : `action ${r.action} is not matched by Action ${list(r.patterns ?? [])}`
    case 'resource':
      return r.negated === true
        ? `resource ${r.resource} is excluded by NotResource ${list(r.patterns ?? [])}`
        : `resource ${r.resource} is not matched by Resource ${list(r.patterns ?? [])}`
    case 'principal':
      return r.negated === true
        ? `principal ${r.principal} is excluded by NotPrincipal ${list(r.patterns ?? [])}`
        : `principal ${r.principal} is not matched by Principal ${list(r.patterns ?? [])}`
    case 'condition': {
      const got = r.actual === undefined ? 'the request has no such key' : `got ${list(r.actual)}`
      return `condition ${r.operator} ${r.key}: expected ${list(r.expected)}, ${got}`
    }
  }
}

/** The explanation as readable text (the Explanation object itself is the JSON form). */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = []
  lines.push(`decision: ${e.decision}`)
  const who =
    e.request.principal === undefined
      ? ''
      : ` by ${e.request.principal.type}:${e.request.principal.id}`
  lines.push(`request: ${e.request.action} on ${e.request.resource}${who}`)
  if (e.matched.length === 0) lines.push('deciding statements: none')
  else {
    lines.push('deciding statements:')
    for (const m of e.matched) lines.push(`  ${describeStatement(m)}`)
  }
  for (const l of e.layers) {
    lines.push(`${l.layer} policies: ${l.decision}`)
    for (const t of l.statements) {
      const head = `  ${describeStatement(t.statement)} ${t.effect}`
      lines.push(
        t.matched || t.reason === undefined
          ? `${head}: matches`
          : `${head}: no match: ${describeReason(t.reason)}`,
      )
    }
  }
  lines.push(
    `missing context keys: ${e.missingContextKeys.length === 0 ? 'none' : e.missingContextKeys.join(', ')}`,
  )
  return lines.join('\n') + '\n'
}
