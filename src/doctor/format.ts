import type { CheckStatus, DoctorReport, DoctorStart } from './facts.js'

const MARKS: Readonly<Record<CheckStatus, string>> = {
  pass: '✓',
  fail: '✗',
  'cannot-tell': '?',
  skipped: '-',
}

/** The starting point in a few words. */
export function describeStart(s: DoctorStart): string {
  switch (s.kind) {
    case 'serviceAccount':
      return `ServiceAccount ${s.namespace}/${s.serviceAccount}`
    case 'pod':
      return `pod ${s.namespace}/${s.pod}`
    case 'token':
      return `token ${s.file} for ${s.roleArn}`
    case 'requestId':
      return `request ${s.requestId}`
  }
}

function value(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/**
 * The report for people: one line per check (mark, name, summary), the evidence of
 * checks that did not pass, and each fix as the command to run. Skipped checks are
 * listed by name on one line at the end.
 */
export function formatDoctorText(r: DoctorReport): string {
  const lines = [`irsa doctor: ${describeStart(r.start)}`]
  const skipped: string[] = []
  for (const c of r.checks) {
    if (c.status === 'skipped') {
      skipped.push(c.name)
      continue
    }
    lines.push(`${MARKS[c.status]} ${c.name}: ${c.summary}`)
    if (c.status === 'pass') continue
    for (const [k, v] of Object.entries(c.evidence)) lines.push(`    ${k}: ${value(v)}`)
    if (c.fix !== null) {
      lines.push('  fix:')
      for (const l of c.fix.split('\n')) lines.push(`    ${l}`)
    }
  }
  if (skipped.length > 0) lines.push(`- skipped: ${skipped.join(', ')}`)
  lines.push(
    r.healthy ? 'healthy: no check failed' : `unhealthy: first failure ${r.firstFailure ?? ''}`,
  )
  return lines.join('\n') + '\n'
}

/** The report as the JSON the contract names (docs/doctor.md). */
export function formatDoctorJson(r: DoctorReport): string {
  return JSON.stringify(r, null, 2) + '\n'
}
