import type { ContextEntry, EvalResult, RequestContext } from '../policy/index.js'
import { evaluate, explain, describeReason, describeStatement } from '../policy/index.js'
import type { PolicyCache } from '../iam/index.js'

/** The trust-policy question of one assume call. */
interface TrustQuestion {
  /** The role's trust policy text. */
  readonly document: string
  readonly roleArn: string
  /** `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`… */
  readonly action: string
  readonly principal: {
    readonly type: 'AWS' | 'Federated'
    readonly id: string
    readonly account?: string
  }
  readonly context: RequestContext
}

/** A trust decision: the evaluation, and for denials the reasons for the operator. */
interface TrustAnswer {
  readonly result: EvalResult
  readonly reasons: Record<string, unknown>
}

/** One single-valued context entry. */
export const one = (type: ContextEntry['type'], value: string): ContextEntry => ({
  type,
  values: [value],
})

/**
 * Evaluates a role's trust policy (compiled once per document text through `cache`) for
 * an assume call. Allowed calls cost one evaluation; a denial is explained statement by
 * statement for the decision log. A trust policy that no longer compiles denies.
 */
export function evaluateTrust(cache: PolicyCache, q: TrustQuestion): TrustAnswer {
  let compiled
  try {
    compiled = cache.get(q.document, 'trust', 'trust policy', 'resource')
  } catch (e) {
    return {
      result: { decision: 'implicitDeny', matched: [], missingContextKeys: [] },
      reasons: {
        check: 'trust-policy',
        why: `the trust policy does not compile: ${e instanceof Error ? e.message : String(e)}`,
      },
    }
  }
  const request = {
    action: q.action,
    resource: q.roleArn,
    principal: q.principal,
    context: q.context,
  }
  const result = evaluate(request, { resource: compiled })
  if (result.decision === 'allowed')
    return {
      result,
      reasons: {
        check: 'trust-policy',
        action: q.action,
        decision: 'allowed',
        matched: result.matched.map(describeStatement),
      },
    }
  const why = explain(request, { resource: compiled })
  return {
    result,
    reasons: {
      check: 'trust-policy',
      action: q.action,
      decision: why.decision,
      matched: why.matched.map(describeStatement),
      statements: why.layers.flatMap((l) =>
        l.statements.map((s) =>
          s.matched
            ? `${describeStatement(s.statement)} ${s.effect}: matched`
            : `${describeStatement(s.statement)} ${s.effect}: no match: ${s.reason === undefined ? '' : describeReason(s.reason)}`,
        ),
      ),
      missingContextKeys: why.missingContextKeys,
    },
  }
}
