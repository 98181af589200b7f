import { result, shellQuote, stringAt, type Derived } from './derive.js'
import type { CheckResult, DoctorFacts, RoleFact } from './facts.js'
import { correctTrust, principalSlip, replayTrust, type TrustQuery } from './trust.js'

/** The default trust policy size quota (ACLSizePerRole, L-C07B4B0D), minified characters. */
export const TRUST_SIZE_QUOTA = 2048
/** The session name doctor replays with when none is given. */
export const DEFAULT_SESSION_NAME = 'irsa-doctor'
const DEFAULT_DURATION_SECONDS = 3600

function needsRole(name: string, facts: DoctorFacts, d: Derived): RoleFact | CheckResult {
  if (d.roleArn === undefined)
    return result(
      name,
      'cannot-tell',
      'no role ARN (annotate the ServiceAccount or pass --role-arn)',
    )
  if (d.role === undefined) return result(name, 'cannot-tell', `${d.roleArn} is not a role ARN`)
  const r = facts.role
  if (r === undefined) return result(name, 'skipped', 'the role was not read')
  if (r.state === 'unknown')
    return result(name, 'cannot-tell', `the role could not be read: ${r.why}`)
  if (r.state === 'missing') return result(name, 'cannot-tell', 'the role does not exist')
  return r.value
}

const isRole = (r: RoleFact | CheckResult): r is RoleFact => 'trustPolicy' in r

/** The fix that writes `document` as the role's trust policy. */
export function updateTrustFix(role: string, document: string): string {
  return `aws iam update-assume-role-policy --role-name ${shellQuote(role)} --policy-document ${shellQuote(document)}`
}

/** role.exists */
export function roleExists(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'role.exists'
  if (d.roleArn === undefined)
    return result(
      name,
      'cannot-tell',
      'no role ARN (annotate the ServiceAccount or pass --role-arn)',
    )
  if (d.role === undefined)
    return result(name, 'fail', `${d.roleArn} is not a role ARN`, { presented: d.roleArn })
  const r = facts.role
  if (r === undefined) return result(name, 'skipped', 'the role was not read')
  if (r.state === 'unknown')
    return result(name, 'cannot-tell', `the role could not be read: ${r.why}`, {
      roleArn: d.roleArn,
    })
  if (r.state === 'missing') {
    const doc =
      d.expectedProviderArn !== undefined && d.sub !== undefined ? starterTrust(d) : undefined
    return result(
      name,
      'fail',
      `role ${d.roleArn} does not exist (STS answers AccessDenied, as for a trust failure)`,
      { roleArn: d.roleArn },
      doc === undefined
        ? null
        : `aws iam create-role --role-name ${shellQuote(d.role.name)} --assume-role-policy-document ${shellQuote(doc)}`,
    )
  }
  return result(name, 'pass', `role ${r.value.arn} exists`, {
    roleArn: r.value.arn,
    maxSessionDuration: r.value.maxSessionDuration,
  })
}

function starterTrust(d: Derived): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: d.expectedProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${d.providerUrl ?? ''}:sub`]: d.sub,
            [`${d.providerUrl ?? ''}:aud`]: d.expectedAudience,
          },
        },
      },
    ],
  })
}

function federatedOf(doc: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(doc)
  } catch {
    return []
  }
  const raw = (parsed as { Statement?: unknown } | null)?.Statement
  const statements: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  return statements.flatMap((s) => {
    if (stringAt(s, 'Effect') !== 'Allow') return []
    const f = (s as { Principal?: { Federated?: unknown } }).Principal?.Federated
    return typeof f === 'string'
      ? [f]
      : Array.isArray(f)
        ? f.filter((x): x is string => typeof x === 'string')
        : []
  })
}

/** The replay query of the token against the role, or why there is none. */
export function trustQuery(facts: DoctorFacts, d: Derived, role: RoleFact): TrustQuery | string {
  const p = d.claims
  if (p === undefined) return 'no token to replay'
  if (d.iss === undefined || d.sub === undefined || d.exp === undefined || d.aud.length === 0)
    return 'the token lacks iss, sub, aud or exp'
  if (d.providerUrl === undefined || d.expectedProviderArn === undefined)
    return 'the issuer is not https'
  const audience =
    d.aud.find((a) => d.provider?.clientIds.includes(a) ?? a === d.expectedAudience) ?? d.aud[0]
  if (audience === undefined) return 'the token has no aud'
  return {
    claims: {
      ...p,
      iss: d.iss,
      sub: d.sub,
      aud: d.aud.length === 1 ? audience : d.aud,
      exp: d.exp,
    },
    providerUrl: d.providerUrl,
    providerArn: d.provider?.arn ?? d.expectedProviderArn,
    audience,
    sessionName: facts.sessionName ?? DEFAULT_SESSION_NAME,
    nowMs: facts.nowMs,
    roleArn: role.arn,
  }
}

function correctedFix(facts: DoctorFacts, d: Derived, role: RoleFact): string | null {
  const q = trustQuery(facts, d, role)
  if (typeof q === 'string') return null
  const doc = correctTrust(role.trustPolicy, q)
  return doc === undefined ? null : updateTrustFix(role.name, doc)
}

/** trust.federated */
export function trustFederated(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'trust.federated'
  const role = needsRole(name, facts, d)
  if (!isRole(role)) return role
  if (d.expectedProviderArn === undefined)
    return result(name, 'cannot-tell', 'no token issuer to name the provider')
  const presented = federatedOf(role.trustPolicy)
  const want = d.provider?.arn ?? d.expectedProviderArn
  const evidence = { expected: want, presented }
  if (presented.includes(want)) return result(name, 'pass', `a statement trusts ${want}`, evidence)
  const slips = presented
    .map((p) => ({ p, slip: principalSlip(p, want) }))
    .filter((x) => x.slip !== undefined)
  const slip = slips[0]
  return result(
    name,
    'fail',
    slip !== undefined
      ? `the trust policy's Federated ${slip.p} is not ${want} (${slip.slip ?? ''})`
      : `no Allow statement has Federated ${want}${presented.length > 0 ? ` (it names ${presented.join(', ')})` : ''}`,
    { ...evidence, slip: slip?.slip ?? null },
    correctedFix(facts, d, role),
  )
}

/** trust.conditions */
export function trustConditions(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'trust.conditions'
  const role = needsRole(name, facts, d)
  if (!isRole(role)) return role
  const q = trustQuery(facts, d, role)
  if (typeof q === 'string') return result(name, 'cannot-tell', q)
  let r
  try {
    r = replayTrust(role.trustPolicy, q)
  } catch (e) {
    return result(
      name,
      'fail',
      `the trust policy does not compile: ${e instanceof Error ? e.message : String(e)}`,
    )
  }
  if (r.allowed)
    return result(
      name,
      'pass',
      `the trust policy allows ${r.actions.join(', ')} for this token (statement ${r.statement ?? '?'})`,
      { statement: r.statement, sub: d.sub, aud: q.audience },
    )
  const f = r.failure
  const evidence = {
    action: f.action,
    statement: f.statement,
    ...(f.operator !== undefined ? { operator: f.operator } : {}),
    ...(f.key !== undefined ? { key: f.key } : {}),
    expected: f.expected,
    presented: f.presented,
    slip: f.slip ?? null,
  }
  return result(
    name,
    'fail',
    `STS denies ${f.action} (AccessDenied): ${f.explanation}${f.slip !== undefined ? ` [${f.slip}]` : ''}`,
    evidence,
    correctedFix(facts, d, role),
  )
}

/** trust.size */
export function trustSize(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'trust.size'
  const role = needsRole(name, facts, d)
  if (!isRole(role)) return role
  let size = role.trustPolicy.replace(/\s+/g, '').length
  try {
    size = JSON.stringify(JSON.parse(role.trustPolicy)).length
  } catch {
    // measured without whitespace
  }
  const evidence = { size, quota: TRUST_SIZE_QUOTA }
  if (size > TRUST_SIZE_QUOTA)
    return result(
      name,
      'fail',
      `the trust policy is ${size} characters minified, over the ${TRUST_SIZE_QUOTA} ACLSizePerRole quota: merge :sub values into one list per provider, or ask for a raise`,
      evidence,
    )
  return result(
    name,
    'pass',
    `${size} of ${TRUST_SIZE_QUOTA} characters${size > TRUST_SIZE_QUOTA * 0.8 ? ' (near the quota: one more statement may not fit)' : ''}`,
    evidence,
  )
}

/** role.duration */
export function roleDuration(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'role.duration'
  const role = needsRole(name, facts, d)
  if (!isRole(role)) return role
  const asked = facts.durationSeconds ?? DEFAULT_DURATION_SECONDS
  const evidence = { requested: asked, maxSessionDuration: role.maxSessionDuration }
  if (asked <= role.maxSessionDuration)
    return result(
      name,
      'pass',
      `${asked} s is within the role's MaxSessionDuration ${role.maxSessionDuration} s`,
      evidence,
    )
  return result(
    name,
    'fail',
    `DurationSeconds ${asked} exceeds the role's MaxSessionDuration ${role.maxSessionDuration} (STS answers ValidationError)`,
    evidence,
    `aws iam update-role --role-name ${shellQuote(role.name)} --max-session-duration ${Math.min(43200, Math.max(asked, 3600))}`,
  )
}

/** live.assume */
export function liveAssume(facts: DoctorFacts): CheckResult {
  const name = 'live.assume'
  const l = facts.live
  if (l === undefined) return result(name, 'skipped', 'only with --live')
  if (l.ok)
    return result(name, 'pass', `AssumeRoleWithWebIdentity returned ${l.assumedRoleArn}`, {
      assumedRoleArn: l.assumedRoleArn,
    })
  return result(name, 'fail', `AssumeRoleWithWebIdentity failed: ${l.code}: ${l.message}`, {
    code: l.code,
    message: l.message,
  })
}
