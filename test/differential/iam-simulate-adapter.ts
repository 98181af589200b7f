/**
 * Drives @cloud-copilot/iam-simulate (the AGPL test oracle; imported only from test/ and
 * bench/) with the generated cases: the Simulation input, its verdicts as our decisions, and
 * the `createValidatedPolicy` wrapper `runUnsafeSimulation` needs for a resource policy (it
 * throws on a plain one).
 */
import assert from 'node:assert/strict'
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate'
import type { Simulation } from '@cloud-copilot/iam-simulate'
import { createValidatedPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy'
import type { Decision } from '../../src/policy/index.js'
import { ACCOUNT, CALLER_ROLE, ISSUERS } from '../property/arbitraries.js'
import type { GeneratedCase } from '../property/arbitraries.js'
import type { NaivePolicy } from '../property/naive-evaluator.js'

export type Oracle = 'runSimulation' | 'runUnsafeSimulation'

const VERDICT: Readonly<Record<string, Decision>> = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny',
}

/** iam-simulate's verdict as our decision. */
export function decisionOf(verdict: string): Decision {
  return VERDICT[verdict] ?? assert.fail(`unexpected iam-simulate verdict ${verdict}`)
}

/**
 * The case as an iam-simulate Simulation: list-typed context keys as arrays, the caller (when
 * the case names none) a role of the account. With `wrap`, the resource policy is wrapped as
 * runUnsafeSimulation needs (runSimulation validates and wraps it itself).
 */
export function toSimulation(c: GeneratedCase, wrap: boolean): Simulation {
  const contextVariables: Record<string, string | string[]> = {}
  for (const [k, e] of Object.entries(c.request.context)) {
    contextVariables[k] = e.type.endsWith('List') ? [...e.values] : (e.values[0] ?? '')
  }
  const sim: Simulation = {
    request: {
      principal: c.request.principal?.id ?? CALLER_ROLE,
      action: c.request.action,
      resource: { resource: c.request.resource, accountId: ACCOUNT },
      contextVariables,
    },
    identityPolicies: (c.identity ?? []).map((p) => ({ name: p.id, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
  if (c.boundary) {
    sim.permissionBoundaryPolicies = c.boundary.map((p) => ({ name: p.id, policy: p.document }))
  }
  if (c.session) sim.sessionPolicy = c.session[0]?.document
  if (c.resource) {
    sim.resourcePolicy = wrap
      ? createValidatedPolicy(c.resource.document, validateTrustPolicy, { name: c.resource.id })
      : c.resource.document
  }
  return sim
}

/** runUnsafeSimulation's decision (synchronous; no validation, no context-key filtering). */
export function unsafeDecision(sim: Simulation): Decision {
  return decisionOf(runUnsafeSimulation(sim, {}))
}

/** runSimulation's decision; a validation error fails the caller with iam-simulate's errors. */
export async function validatedDecision(sim: Simulation): Promise<Decision> {
  const r = await runSimulation(sim, {})
  if (r.resultType === 'error') {
    assert.fail(`iam-simulate rejected the simulation: ${JSON.stringify(r.errors)}`)
  }
  return decisionOf(r.overallResult)
}

/** The oracle's decision on a case. */
export async function oracleDecision(c: GeneratedCase, oracle: Oracle): Promise<Decision> {
  return oracle === 'runUnsafeSimulation'
    ? unsafeDecision(toSimulation(c, true))
    : validatedDecision(toSimulation(c, false))
}

/** Replaces every string in a JSON value (object keys included). */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v)
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f))
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [f(k), mapStrings(x, f)]))
  }
  return v
}

/**
 * The same case with the two generated EKS issuers renamed, in policies and request alike, to
 * issuers whose condition keys iam-simulate's service data lists (accounts.google.com,
 * cognito-identity.amazonaws.com): its validated runSimulation silently drops the keys of any
 * other issuer, EKS's included.
 */
export function withKnownIssuers(c: GeneratedCase): GeneratedCase {
  const rename = (s: string): string =>
    s
      .split(ISSUERS[0])
      .join('accounts.google.com')
      .split(ISSUERS[1])
      .join('cognito-identity.amazonaws.com')
  const m = (p: NaivePolicy): NaivePolicy => ({
    ...p,
    document: mapStrings(p.document, rename),
  })
  const principal = c.request.principal
  return {
    ...(c.identity ? { identity: c.identity.map(m) } : {}),
    ...(c.boundary ? { boundary: c.boundary.map(m) } : {}),
    ...(c.session ? { session: c.session.map(m) } : {}),
    ...(c.resource ? { resource: m(c.resource) } : {}),
    request: {
      ...c.request,
      context: Object.fromEntries(
        Object.entries(c.request.context).map(([k, e]) => [rename(k), e]),
      ),
      ...(principal ? { principal: { ...principal, id: rename(principal.id) } } : {}),
    },
  }
}
