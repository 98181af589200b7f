import type { CompiledPolicy } from './compile.js'
import { explanation, run } from './engine.js'
import type { EvalRequest, EvalResult, Explanation, PolicySet } from './types.js'

/**
 * Decides a request against compiled policies: `allowed`, `explicitDeny` or
 * `implicitDeny`, with the statements that decided and the context keys the conditions
 * wanted but the request lacked. The hot path (STS calls it for every
 * AssumeRoleWithWebIdentity): no parsing, no explanation.
 */
export function evaluate(request: EvalRequest, set: PolicySet<CompiledPolicy>): EvalResult {
  const r = run(request, set, false)
  return { decision: r.decision, matched: r.matched, missingContextKeys: r.missing }
}

/**
 * The same decision as {@link evaluate}, explained: for each layer and each statement,
 * whether it matched and, if not, the first element that did not (action, resource,
 * principal, or the condition with the values compared). The object is the JSON form;
 * {@link formatExplanation} renders it as text.
 */
export function explain(request: EvalRequest, set: PolicySet<CompiledPolicy>): Explanation {
  return explanation(request, set)
}
