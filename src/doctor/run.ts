import {
  podAfterAnnotation,
  podMutated,
  podOwnAwsEnv,
  podTokenReadable,
  regionSts,
  serviceAccountExists,
  serviceAccountRoleArn,
  webhookInstalled,
} from './checks-kube.js'
import {
  providerAudience,
  providerExists,
  providerQuota,
  providerThumbprint,
} from './checks-provider.js'
import {
  liveAssume,
  roleDuration,
  roleExists,
  trustConditions,
  trustFederated,
  trustSize,
} from './checks-role.js'
import {
  issuerDiscovery,
  issuerJwks,
  tokenAudience,
  tokenDecodes,
  tokenIssuer,
  tokenNotExpired,
} from './checks-token.js'
import { decisionRecorded, recordedChecks } from './decision.js'
import { derive, result, type Derived } from './derive.js'
import type { CheckResult, DoctorFacts, DoctorReport } from './facts.js'

/** A check: a pure function of the facts. */
export type Check = (facts: DoctorFacts, d: Derived) => CheckResult

/** Every check, in chain order (the order the JSON output lists them). */
export const CHECKS: readonly (readonly [string, Check])[] = [
  ['serviceaccount.exists', serviceAccountExists],
  ['serviceaccount.role-arn', serviceAccountRoleArn],
  ['webhook.installed', webhookInstalled],
  ['pod.mutated', podMutated],
  ['pod.after-annotation', podAfterAnnotation],
  ['pod.own-aws-env', podOwnAwsEnv],
  ['pod.token-readable', podTokenReadable],
  ['token.decodes', tokenDecodes],
  ['token.not-expired', tokenNotExpired],
  ['token.audience', tokenAudience],
  ['token.issuer', tokenIssuer],
  ['issuer.discovery', issuerDiscovery],
  ['issuer.jwks', issuerJwks],
  ['provider.exists', providerExists],
  ['provider.audience', providerAudience],
  ['provider.thumbprint', providerThumbprint],
  ['provider.quota', providerQuota],
  ['role.exists', roleExists],
  ['trust.federated', trustFederated],
  ['trust.conditions', trustConditions],
  ['trust.size', trustSize],
  ['role.duration', roleDuration],
  ['region.sts', regionSts],
  ['live.assume', liveAssume],
]

/** The names of the checks, in chain order. */
export const CHECK_NAMES: readonly string[] = CHECKS.map(([n]) => n)

function safely(name: string, check: Check, facts: DoctorFacts, d: Derived): CheckResult {
  try {
    return check(facts, d)
  } catch (e) {
    return result(
      name,
      'cannot-tell',
      `the check failed: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
}

/**
 * Runs every check on the facts: each sees the same facts, a failure does not stop the
 * chain. With `--request-id`, `decision.recorded` comes first and the check the recorded
 * refusal names fails with the recorded reasons unless a replay says otherwise.
 */
export function runChecks(facts: DoctorFacts): DoctorReport {
  const d = derive(facts)
  const checks: CheckResult[] = []
  if (facts.decisions !== undefined) checks.push(decisionRecorded(facts))
  const recorded = facts.decisions !== undefined ? recordedChecks(facts) : undefined
  for (const [name, check] of CHECKS) {
    const r = safely(name, check, facts, d)
    const fromLog = recorded?.get(name)
    const open = r.status === 'skipped' || r.status === 'cannot-tell'
    if (fromLog !== undefined && open) checks.push(fromLog)
    // A recorded request gives no evidence for what it did not reach.
    else if (facts.start.kind === 'requestId' && r.status === 'cannot-tell')
      checks.push({ ...r, status: 'skipped' })
    else checks.push(r)
  }
  const first = checks.find((c) => c.status === 'fail')
  return {
    healthy: first === undefined,
    start: facts.start,
    checks,
    firstFailure: first?.name ?? null,
  }
}
