import { list, struct, type ResultStruct } from '../../aws/index.js'
import {
  evaluate,
  explain,
  type CompiledPolicy,
  type CompiledStatement,
  type PolicySet,
  type RequestContext,
  type StatementRef,
} from '../../policy/index.js'
import { markerAt, pageStart, type Paging } from '../paging.js'

/*
 * The simulator's results, one page at a time: result `i` is the pair
 * (ActionNames[i / |ResourceArns|], ResourceArns[i mod |ResourceArns|]), so a page is
 * evaluated from its Marker on and the whole product is never built.
 */

/**
 * Statement visits one page may spend. Past it the page ends early with a Marker, as
 * IAM's reference allows ("IAM might return fewer results, even when there are more
 * results available"), so a page of 1,000 pairs over policies near the request size
 * limit cannot hold the event loop.
 */
const PAGE_BUDGET = 250_000

/** What every result of a simulation is evaluated against. */
export interface Simulation {
  readonly set: PolicySet<CompiledPolicy>
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  readonly context: RequestContext
  readonly principal?: { readonly type: 'AWS'; readonly id: string; readonly account: string }
}

/** A simulation with what each pair needs precomputed once per request. */
interface Prepared extends Simulation {
  /** Each statement of the identity, boundary and session layers by its ref. */
  readonly statements: ReadonlyMap<StatementRef, CompiledStatement>
  /** Lower-cased context keys the request supplies. */
  readonly present: ReadonlySet<string>
  /** Statement visits one pair costs: evaluation, boundary, explanation. */
  readonly cost: number
}

function prepare(sim: Simulation): Prepared {
  const policies = [
    ...(sim.set.identity ?? []),
    ...(sim.set.boundary ?? []),
    ...(sim.set.session ?? []),
  ]
  const statements = new Map<StatementRef, CompiledStatement>()
  for (const p of policies) for (const s of p.statements) statements.set(s.ref, s)
  const present = new Set(Object.keys(sim.context).map((k) => k.toLowerCase()))
  return { ...sim, statements, present, cost: 1 + 3 * statements.size }
}

/**
 * Every context key that a statement which applies to the request (its action, resource
 * and principal matched) refers to in a condition and the request lacks: the simulator's
 * MissingContextValues. The engine stops at a statement's first failing condition; AWS's
 * simulator lists every key it would need, so the keys are gathered here.
 */
function missingContextValues(
  sim: Prepared,
  action: string,
  resource: string,
  found: readonly string[],
): string[] {
  const why = explain({ action, resource, context: sim.context }, sim.set)
  const out = new Map<string, string>()
  for (const k of found) out.set(k.toLowerCase(), k)
  for (const layer of why.layers)
    for (const t of layer.statements) {
      if (!t.matched && t.reason?.element !== 'condition') continue
      for (const c of sim.statements.get(t.statement)?.conditions ?? [])
        if (!sim.present.has(c.key.toLowerCase()) && !out.has(c.key.toLowerCase()))
          out.set(c.key.toLowerCase(), c.key)
    }
  return [...out.values()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
}

const position = (p: { line: number; column: number }): ResultStruct =>
  struct({ Line: p.line, Column: p.column })

const statement = (s: StatementRef): ResultStruct =>
  struct({
    SourcePolicyId: s.policyId,
    SourcePolicyType: s.policyType,
    StartPosition: position(s.start),
    EndPosition: position(s.end),
  })

/** The EvaluationResult of one action on one resource. */
function evaluatePair(sim: Prepared, action: string, resource: string): ResultStruct {
  const principal = sim.principal === undefined ? {} : { principal: sim.principal }
  const r = evaluate({ action, resource, context: sim.context, ...principal }, sim.set)
  const boundary =
    sim.set.boundary === undefined
      ? undefined
      : struct({
          AllowedByPermissionsBoundary:
            evaluate({ action, resource, context: sim.context }, { boundary: sim.set.boundary })
              .decision === 'allowed',
        })
  return struct({
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: r.decision,
    MatchedStatements: list(r.matched.map(statement)),
    MissingContextValues: list(missingContextValues(sim, action, resource, r.missingContextKeys)),
    PermissionsBoundaryDecisionDetail: boundary,
  })
}

/** One page of EvaluationResults, in the order asked (each action over every resource). */
export function simulatePage(
  simulation: Simulation,
  paging: Paging,
  budget = PAGE_BUDGET,
): { readonly items: ResultStruct[]; readonly isTruncated: boolean; readonly marker?: string } {
  const sim = prepare(simulation)
  const width = sim.resources.length
  const total = sim.actions.length * width
  const items: ResultStruct[] = []
  let i = pageStart(paging)
  for (let spent = 0; i < total && items.length < paging.maxItems; i++, spent += sim.cost) {
    if (items.length > 0 && spent + sim.cost > budget) break
    items.push(
      evaluatePair(sim, sim.actions[Math.floor(i / width)] ?? '', sim.resources[i % width] ?? ''),
    )
  }
  return i >= total
    ? { items, isTruncated: false }
    : { items, isTruncated: true, marker: markerAt(i) }
}
