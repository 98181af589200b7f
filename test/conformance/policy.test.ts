/**
 * Policy conformance: every case file under test/fixtures/policy (one case per file, each citing
 * the AWS page it follows) is compiled with the right kind and run through `evaluate` and
 * `explain`. The decision, the deciding statements, the missing context keys and, when the case
 * names one, the first mismatch of a statement must be exactly as the case says. The loader
 * fails on an empty folder and on any unknown key in a case file.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compilePolicy, evaluate, explain } from '../../src/policy/index.js'
import type {
  CompiledPolicy,
  PolicyKind,
  PolicySet,
  SourcePolicyType,
  StatementRef,
} from '../../src/policy/index.js'
import { repoPath } from '../helpers/paths.js'
import { sortRefs } from '../property/naive-evaluator.js'
import { loadPolicyCases, policyText, resourceKind } from '../property/policy-cases.js'
import type { CasePolicy, PolicyCase } from '../property/policy-cases.js'

const cases = loadPolicyCases(repoPath('test', 'fixtures', 'policy'))

function compileOne(p: CasePolicy, kind: PolicyKind, fallback: SourcePolicyType): CompiledPolicy {
  return compilePolicy(policyText(p.document), kind, { id: p.id, type: p.type ?? fallback })
}

/** The case's policies, each compiled once with the kind its layer demands. */
function compileSet(c: PolicyCase): PolicySet<CompiledPolicy> {
  const p = c.policies
  return {
    ...(p.identity ? { identity: p.identity.map((x) => compileOne(x, 'identity', 'role')) } : {}),
    ...(p.boundary ? { boundary: p.boundary.map((x) => compileOne(x, 'boundary', 'none')) } : {}),
    ...(p.session ? { session: p.session.map((x) => compileOne(x, 'session', 'none')) } : {}),
    ...(p.resource
      ? { resource: compileOne(p.resource, resourceKind(c.request.action), 'resource') }
      : {}),
  }
}

/** policyId → the SourcePolicyType the case compiled it with. */
function typesOf(c: PolicyCase): Map<string, SourcePolicyType> {
  const m = new Map<string, SourcePolicyType>()
  for (const x of c.policies.identity ?? []) m.set(x.id, x.type ?? 'role')
  for (const x of c.policies.boundary ?? []) m.set(x.id, x.type ?? 'none')
  for (const x of c.policies.session ?? []) m.set(x.id, x.type ?? 'none')
  if (c.policies.resource) m.set(c.policies.resource.id, c.policies.resource.type ?? 'resource')
  return m
}

function refs(matched: readonly StatementRef[]): { policyId: string; index: number }[] {
  return sortRefs(matched.map((r) => ({ policyId: r.policyId, index: r.index })))
}

test('the policy conformance folder holds cases from every family', () => {
  const families = new Set(cases.map((c) => c.file.split('/')[0]))
  for (const f of ['string', 'numeric', 'date', 'bool', 'binary', 'ip', 'arn', 'ifexists']) {
    assert.ok(families.has(f), `no ${f} cases`)
  }
  for (const f of ['set-operators', 'null', 'missing-keys', 'case-rules', 'variables']) {
    assert.ok(families.has(f), `no ${f} cases`)
  }
  for (const f of ['not-elements', 'principals', 'evaluation', 'layers', 'irsa']) {
    assert.ok(families.has(f), `no ${f} cases`)
  }
  assert.ok(cases.length >= 80, `only ${cases.length} cases`)
})

for (const c of cases) {
  test(`${c.file}: ${c.description}`, () => {
    const why = `${c.description} (${c.source})`
    const set = compileSet(c)
    const result = evaluate(c.request, set)
    assert.equal(result.decision, c.expect.decision, why)
    assert.deepEqual(refs(result.matched), sortRefs(c.expect.matched ?? []), why)
    const types = typesOf(c)
    for (const r of result.matched) {
      assert.equal(r.policyType, types.get(r.policyId), `policy type of ${r.policyId}`)
      assert.ok(r.start.line >= 1 && r.end.line >= r.start.line, 'statement positions')
    }
    if (c.expect.missingContextKeys !== undefined) {
      assert.deepEqual([...result.missingContextKeys], c.expect.missingContextKeys, why)
    }

    const explained = explain(c.request, set)
    assert.equal(explained.decision, result.decision, 'explain and evaluate agree on the decision')
    assert.deepEqual(refs(explained.matched), refs(result.matched), 'and on the statements')
    assert.deepEqual(explained.missingContextKeys, result.missingContextKeys, 'and on missing keys')
    const traces = explained.layers.flatMap((l) => l.statements)
    for (const r of result.matched) {
      const t = traces.find(
        (x) => x.statement.policyId === r.policyId && x.statement.index === r.index,
      )
      assert.ok(t?.matched, `explain shows ${r.policyId}[${r.index}] as matched`)
    }
    const m = c.expect.mismatch
    if (m !== undefined) {
      const t = traces.find(
        (x) => x.statement.policyId === m.policyId && x.statement.index === m.index,
      )
      assert.ok(t, `explain traces ${m.policyId}[${m.index}]`)
      assert.equal(t.matched, false, `${m.policyId}[${m.index}] did not match`)
      assert.equal(t.reason?.element, m.element, `first mismatch of ${m.policyId}[${m.index}]`)
      if (m.key !== undefined) {
        assert.equal(t.reason.element === 'condition' ? t.reason.key : undefined, m.key, why)
      }
    }
  })
}
