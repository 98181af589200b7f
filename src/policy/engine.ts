/**
 * The evaluation core shared by {@link evaluate} and {@link explain}, so the two can never
 * disagree: explain runs the very same matchers with tracing switched on.
 *
 * Policy evaluation logic
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * a request is denied unless allowed (implicit deny); an explicit Deny in any applicable
 * policy wins over every Allow; within an account, identity policies must allow, and a
 * permissions boundary and session policies, when present, must allow too (the effective
 * permissions are their intersection). For the assume-role calls the role's trust policy
 * is a resource-based policy that must allow the principal.
 */
import type { CompiledPolicy, CompiledStatement } from './compile.js'
import { conditionHolds, expectedValues, type CompiledCondition } from './condition.js'
import { describePrincipal, notPrincipalExcludes, principalLevel } from './principal.js'
import { arnPatternMatches, type ArnPattern } from './arn.js'
import { lookup, missingKeys, newState, principalView, type EvalState } from './state.js'
import type {
  Decision,
  EvalRequest,
  Explanation,
  LayerTrace,
  MismatchReason,
  PolicySet,
  StatementRef,
  StatementTrace,
} from './types.js'
import { matchGlob, type Glob } from './wildcard.js'

/** Whether a statement applies to the request (effect aside). Sets `st.reason` when tracing. */
function applies(s: CompiledStatement, st: EvalState): boolean {
  // Indexed loops on this path: it runs for every statement of every evaluation.
  const actions = s.actions
  const action = st.action
  let hit = false
  for (let i = 0; i < actions.length; i++) {
    if (matchGlob(actions[i] as Glob, action, 0, action.length)) {
      hit = true
      break
    }
  }
  if (hit === s.notAction) {
    if (st.trace)
      st.reason = {
        element: 'action',
        action: st.req.action,
        patterns: s.actionValues,
        negated: s.notAction,
      }
    return false
  }

  const resources = s.resources
  if (resources !== undefined) {
    let matched = false
    let unresolved = false
    const resource = st.resource
    for (let i = 0; i < resources.length; i++) {
      const m = arnPatternMatches(resources[i] as ArnPattern, resource, st.colons, st.resolve)
      if (m === true) {
        matched = true
        break
      }
      if (m === undefined) unresolved = true
    }
    // A Resource with a variable that has no value matches nothing; a NotResource with one
    // cannot say what it excludes, so the statement does not apply either.
    const ok = s.notResource ? !matched && !unresolved : matched
    if (!ok) {
      if (st.trace)
        st.reason = {
          element: 'resource',
          resource: st.req.resource,
          patterns: s.resourceValues,
          negated: s.notResource,
        }
      return false
    }
  }

  const principal = s.principal
  if (principal !== undefined) {
    const view = principalView(st)
    let level: number
    if (s.notPrincipal) level = notPrincipalExcludes(principal, view) ? 0 : 2
    else level = principalLevel(principal, view)
    st.principalLevel = level
    if (level === 0) {
      if (st.trace)
        st.reason = {
          element: 'principal',
          principal: describePrincipal(st.req.principal),
          patterns: principal.described,
          negated: s.notPrincipal,
        }
      return false
    }
  } else {
    st.principalLevel = 2
  }

  const conditions = s.conditions
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i] as CompiledCondition
    if (!conditionHolds(c, st)) {
      if (st.trace) {
        const e = lookup(st, c.key, c.lower)
        st.reason = {
          element: 'condition',
          operator: c.operator,
          key: c.key,
          expected: expectedValues(c, st),
          actual: e?.values,
        }
      }
      return false
    }
  }
  return true
}

/** The reason `applies` recorded (read through a call: the compiler cannot see it set). */
function takeReason(st: EvalState): MismatchReason | undefined {
  return st.reason
}

/** What one layer (a list of policies) says. */
interface LayerOutcome {
  deny: StatementRef[] | undefined
  allow: StatementRef[] | undefined
  /** Some Allow matched its principal directly (not only at account level). */
  direct: boolean
  traces: StatementTrace[] | undefined
}

function runLayer(policies: readonly CompiledPolicy[], st: EvalState): LayerOutcome {
  const out: LayerOutcome = { deny: undefined, allow: undefined, direct: false, traces: undefined }
  if (st.trace) out.traces = []
  for (let pi = 0; pi < policies.length; pi++) {
    const statements = (policies[pi] as CompiledPolicy).statements
    for (let si = 0; si < statements.length; si++) {
      const s = statements[si] as CompiledStatement
      st.reason = undefined
      const ok = applies(s, st)
      if (ok) {
        if (s.effect === 'Deny') (out.deny ??= []).push(s.ref)
        else {
          ;(out.allow ??= []).push(s.ref)
          if (st.principalLevel === 2) out.direct = true
        }
      }
      if (out.traces !== undefined) {
        const reason = ok ? undefined : takeReason(st)
        out.traces.push(
          reason === undefined
            ? { statement: s.ref, effect: s.effect, matched: ok }
            : { statement: s.ref, effect: s.effect, matched: ok, reason },
        )
      }
    }
  }
  return out
}

function layerDecision(o: LayerOutcome): Decision {
  return o.deny !== undefined ? 'explicitDeny' : o.allow !== undefined ? 'allowed' : 'implicitDeny'
}

/** The core: the decision, the deciding statements and, when tracing, the per-layer traces. */
export function run(
  request: EvalRequest,
  set: PolicySet<CompiledPolicy>,
  trace: boolean,
): {
  decision: Decision
  matched: readonly StatementRef[]
  missing: readonly string[]
  layers: LayerTrace[] | undefined
} {
  const st = newState(request, trace)
  const identity = set.identity === undefined ? undefined : runLayer(set.identity, st)
  const boundary = set.boundary === undefined ? undefined : runLayer(set.boundary, st)
  const session = set.session === undefined ? undefined : runLayer(set.session, st)
  const resource = set.resource === undefined ? undefined : runLayer([set.resource], st)

  let decision: Decision
  let matched: readonly StatementRef[] = NONE
  if (
    identity?.deny !== undefined ||
    boundary?.deny !== undefined ||
    session?.deny !== undefined ||
    resource?.deny !== undefined
  ) {
    decision = 'explicitDeny'
    matched = concat(identity?.deny, boundary?.deny, session?.deny, resource?.deny)
  } else {
    const identityMode = identity !== undefined || boundary !== undefined || session !== undefined
    const identityAllows =
      identity?.allow !== undefined &&
      (boundary === undefined || boundary.allow !== undefined) &&
      (session === undefined || session.allow !== undefined)
    let allowed: boolean
    if (resource === undefined) allowed = identityAllows
    else if (resource.allow === undefined) allowed = false
    // Identity layers, when given, must allow too; an account-level Principal match only
    // delegates to the account, so then they must be given and allow.
    else allowed = identityMode ? identityAllows : resource.direct
    decision = allowed ? 'allowed' : 'implicitDeny'
    if (allowed) matched = concat(identity?.allow, boundary?.allow, session?.allow, resource?.allow)
  }

  let layers: LayerTrace[] | undefined
  if (trace) {
    layers = []
    const given: [LayerTrace['layer'], LayerOutcome | undefined][] = [
      ['identity', identity],
      ['boundary', boundary],
      ['session', session],
      ['resource', resource],
    ]
    for (const [layer, o] of given) {
      if (o !== undefined)
        layers.push({ layer, decision: layerDecision(o), statements: o.traces ?? [] })
    }
  }
  return { decision, matched, missing: missingKeys(st), layers }
}

const NONE: readonly StatementRef[] = Object.freeze([])

/** Joins the layers' statement lists, without copying when only one list is non-empty. */
function concat(
  a: StatementRef[] | undefined,
  b: StatementRef[] | undefined,
  c: StatementRef[] | undefined,
  d: StatementRef[] | undefined,
): readonly StatementRef[] {
  const count =
    (a === undefined ? 0 : 1) +
    (b === undefined ? 0 : 1) +
    (c === undefined ? 0 : 1) +
    (d === undefined ? 0 : 1)
  if (count <= 1) return a ?? b ?? c ?? d ?? NONE
  const out: StatementRef[] = []
  if (a !== undefined) out.push(...a)
  if (b !== undefined) out.push(...b)
  if (c !== undefined) out.push(...c)
  if (d !== undefined) out.push(...d)
  return out
}

/** The explanation object for {@link run}'s traced result. */
export function explanation(request: EvalRequest, set: PolicySet<CompiledPolicy>): Explanation {
  const r = run(request, set, true)
  return {
    decision: r.decision,
    matched: r.matched,
    missingContextKeys: r.missing,
    request: {
      action: request.action,
      resource: request.resource,
      ...(request.principal === undefined ? {} : { principal: request.principal }),
    },
    layers: r.layers ?? [],
  }
}
