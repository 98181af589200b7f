import { result } from './derive.js'
import type { CheckResult, DoctorFacts, RecordedDecision } from './facts.js'

/** The doctor check each STS check of the decision log belongs to. */
const STS_CHECKS: Readonly<Record<string, string>> = {
  'token-form': 'token.decodes',
  algorithm: 'token.decodes',
  claims: 'token.decodes',
  issuer: 'token.decodes',
  provider: 'provider.exists',
  thumbprint: 'provider.thumbprint',
  jwks: 'issuer.jwks',
  kid: 'issuer.jwks',
  signature: 'issuer.jwks',
  exp: 'token.not-expired',
  nbf: 'token.not-expired',
  audience: 'provider.audience',
  role: 'role.exists',
  duration: 'role.duration',
  'trust-policy': 'trust.conditions',
}

/** The decision of a request doctor explains: its first refusal, else its first record. */
export function decisionOf(facts: DoctorFacts): RecordedDecision | undefined {
  const all = facts.decisions ?? []
  return all.find((x) => x.decision !== 'allowed') ?? all[0]
}

const whyOf = (d: RecordedDecision): string => {
  const why = d.reasons['why']
  if (typeof why === 'string') return why
  const statements = d.reasons['statements']
  if (Array.isArray(statements) && statements.length > 0) return statements.map(String).join('; ')
  return d.decision
}

/** decision.recorded: what the local stack decided for `--request-id`, and why. */
export function decisionRecorded(facts: DoctorFacts): CheckResult {
  const name = 'decision.recorded'
  const start = facts.start
  const id = start.kind === 'requestId' ? start.requestId : ''
  const d = decisionOf(facts)
  if (d === undefined) return result(name, 'cannot-tell', `no decision recorded for request ${id}`)
  const evidence = {
    time: new Date(d.at).toISOString(),
    action: d.action,
    principal: d.principal ?? null,
    resource: d.resource ?? null,
    decision: d.decision,
    errorCode: d.errorCode ?? null,
    reasons: d.reasons,
  }
  if (d.decision === 'allowed') return result(name, 'pass', `${d.action} was allowed`, evidence)
  const check = typeof d.reasons['check'] === 'string' ? d.reasons['check'] : undefined
  return result(
    name,
    'fail',
    `${d.action} was ${d.decision}${d.errorCode !== undefined ? ` (${d.errorCode})` : ''}${check !== undefined ? ` at check ${check}` : ''}: ${whyOf(d)}`,
    evidence,
  )
}

/**
 * The doctor checks a recorded STS refusal speaks for: the check it failed, with the
 * recorded reasons (used where doctor cannot re-run the check itself).
 */
export function recordedChecks(facts: DoctorFacts): Map<string, CheckResult> {
  const out = new Map<string, CheckResult>()
  const d = decisionOf(facts)
  if (d === undefined || d.decision === 'allowed' || !d.action.startsWith('sts:')) return out
  const check = d.reasons['check']
  const name = typeof check === 'string' ? STS_CHECKS[check] : undefined
  if (name === undefined) return out
  out.set(name, result(name, 'fail', `recorded: ${whyOf(d)}`, { recorded: d.reasons }))
  return out
}
