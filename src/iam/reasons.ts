import { describeReason, describeStatement, type Explanation } from '../policy/index.js'

/**
 * The decision log's `reasons` for an evaluation: the decision, the deciding statements,
 * each layer's verdict with one line per statement (matched, or the first element that
 * did not match), and the missing context keys. Policy documents and context values
 * appear only as the explanation quotes them; no credential is ever part of a request
 * context.
 */
export function explanationReasons(why: Explanation): Record<string, unknown> {
  return {
    decision: why.decision,
    matched: why.matched.map((s) => describeStatement(s)),
    layers: why.layers.map((l) => ({
      layer: l.layer,
      decision: l.decision,
      statements: l.statements.map((s) =>
        s.matched
          ? `${describeStatement(s.statement)} ${s.effect}: matched`
          : `${describeStatement(s.statement)} ${s.effect}: no match: ${s.reason === undefined ? '' : describeReason(s.reason)}`,
      ),
    })),
    missingContextKeys: why.missingContextKeys,
  }
}
