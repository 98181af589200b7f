/**
 * Property tests of the policy engine (fast-check, fixed seeds, bounded runs): the compiled
 * engine agrees with the naive reference evaluator on generated identity and trust cases;
 * statement and policy order never matter; adding a Deny never turns a deny into an allow;
 * every allow (and every explicit deny) is backed by statements that a naive check confirms;
 * explain agrees with evaluate; the linear wildcard matcher agrees with a naive one.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { evaluate, explain, matchWildcard } from '../../src/policy/index.js'
import type { EvalResult } from '../../src/policy/index.js'
import {
  denyStatementArb,
  identityCaseArb,
  trustCaseArb,
  trustStatementArb,
  wildcardPatternArb,
  wildcardValueArb,
} from './arbitraries.js'
import type { GeneratedCase, PolicyDocument, Statement } from './arbitraries.js'
import {
  naiveEvaluate,
  naiveStatementMatches,
  naiveWildcard,
  sortRefs,
  statementsOf,
} from './naive-evaluator.js'
import type { NaivePolicy, NaiveRef } from './naive-evaluator.js'
import { compileCase } from './compile-case.js'

const RUNS = 300
const params = (seed: number, numRuns = RUNS): fc.Parameters<unknown> => ({ seed, numRuns })

const anyCase = fc.oneof(
  { arbitrary: identityCaseArb('full'), weight: 3 },
  { arbitrary: trustCaseArb(), weight: 1 },
)

function run(c: GeneratedCase): EvalResult {
  return evaluate(c.request, compileCase(c))
}

function refs(r: EvalResult): NaiveRef[] {
  return sortRefs(r.matched.map((m) => ({ policyId: m.policyId, index: m.index })))
}

function policies(c: GeneratedCase): NaivePolicy[] {
  return [
    ...(c.identity ?? []),
    ...(c.boundary ?? []),
    ...(c.session ?? []),
    ...(c.resource ? [c.resource] : []),
  ]
}

/** The same case with every policy's document rewritten. */
function mapDocs(c: GeneratedCase, f: (p: NaivePolicy) => unknown): GeneratedCase {
  const m = (p: NaivePolicy): NaivePolicy => ({ ...p, document: f(p) })
  return {
    ...(c.identity ? { identity: c.identity.map(m) } : {}),
    ...(c.boundary ? { boundary: c.boundary.map(m) } : {}),
    ...(c.session ? { session: c.session.map(m) } : {}),
    ...(c.resource ? { resource: m(c.resource) } : {}),
    request: c.request,
  }
}

test('the compiled engine agrees with the naive reference evaluator', () => {
  fc.assert(
    fc.property(anyCase, (c) => {
      const got = run(c)
      const want = naiveEvaluate(c.request, c)
      assert.equal(got.decision, want.decision)
      assert.deepEqual(refs(got), want.matched)
    }),
    params(0x1a2b, 600),
  )
})

test('the generated cases reach every decision (the agreement above is not vacuous)', () => {
  const seen = new Map<string, number>()
  for (const c of fc.sample(anyCase, { seed: 0x1a2b, numRuns: 600 })) {
    const d = naiveEvaluate(c.request, c).decision
    seen.set(d, (seen.get(d) ?? 0) + 1)
  }
  for (const d of ['allowed', 'explicitDeny', 'implicitDeny']) {
    assert.ok((seen.get(d) ?? 0) >= 30, `${d}: ${seen.get(d) ?? 0} of 600`)
  }
})

test('statement order and policy order never matter', () => {
  fc.assert(
    fc.property(anyCase, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (c, keys) => {
      const before = run(c)
      // A permutation per policy: statement i moves to position perm.indexOf(i).
      const perms = new Map<string, number[]>()
      const shuffled = mapDocs(c, (p) => {
        const doc = p.document as PolicyDocument
        const perm = doc.Statement.map((_, i) => i).sort(
          (a, b) => (keys[a % keys.length] ?? 0) - (keys[b % keys.length] ?? 0) || b - a,
        )
        perms.set(p.id, perm)
        return { ...doc, Statement: perm.map((i) => doc.Statement[i]!) }
      })
      const reversed = shuffled.identity
        ? { ...shuffled, identity: [...shuffled.identity].reverse() }
        : shuffled
      const after = run(reversed)
      assert.equal(after.decision, before.decision)
      const moved = sortRefs(
        before.matched.map((m) => ({
          policyId: m.policyId,
          index: perms.get(m.policyId)!.indexOf(m.index),
        })),
      )
      assert.deepEqual(refs(after), moved)
    }),
    params(0x2b3c),
  )
})

test('adding a Deny statement never turns a deny into an allow', () => {
  const withDeny = fc.oneof(
    fc.tuple(identityCaseArb('full'), denyStatementArb('full'), fc.nat()),
    fc.tuple(
      trustCaseArb(),
      trustStatementArb().map((s) => ({ ...s, Effect: 'Deny' })),
      fc.constant(0),
    ),
  )
  fc.assert(
    fc.property(withDeny, ([c, deny, pick]) => {
      const before = run(c)
      const all = policies(c)
      const target = all[pick % all.length]!.id
      const added = mapDocs(c, (p) => {
        const doc = p.document as PolicyDocument
        return p.id === target ? { ...doc, Statement: [...doc.Statement, deny] } : doc
      })
      const after = run(added).decision
      if (before.decision === 'explicitDeny') assert.equal(after, 'explicitDeny')
      if (before.decision === 'implicitDeny') assert.notEqual(after, 'allowed')
      if (before.decision === 'allowed') assert.notEqual(after, 'implicitDeny')
    }),
    params(0x3c4d),
  )
})

test('every decision is backed by statements a naive check confirms', () => {
  fc.assert(
    fc.property(anyCase, (c) => {
      const result = run(c)
      const byId = new Map(policies(c).map((p) => [p.id, p]))
      if (result.decision === 'implicitDeny') assert.deepEqual(result.matched, [])
      else assert.ok(result.matched.length > 0, `${result.decision} without a statement`)
      const effect = result.decision === 'allowed' ? 'Allow' : 'Deny'
      for (const m of result.matched) {
        const p = byId.get(m.policyId)
        assert.ok(p, `unknown policy ${m.policyId}`)
        const doc = p.document as PolicyDocument
        const stmt: Statement | undefined = statementsOf(doc)[m.index]
        assert.ok(stmt, `no statement ${m.policyId}[${m.index}]`)
        assert.equal(stmt['Effect'], effect)
        assert.ok(naiveStatementMatches(stmt, doc.Version, c.request), 'the statement applies')
      }
    }),
    params(0x4d5e),
  )
})

test('explain agrees with evaluate', () => {
  fc.assert(
    fc.property(anyCase, (c) => {
      const set = compileCase(c)
      const a = evaluate(c.request, set)
      const b = explain(c.request, set)
      assert.equal(b.decision, a.decision)
      assert.deepEqual(refs(b), refs(a))
      assert.deepEqual(b.missingContextKeys, a.missingContextKeys)
      for (const t of b.layers.flatMap((l) => l.statements)) {
        assert.equal(t.matched, t.reason === undefined, 'a reason exactly when unmatched')
      }
    }),
    params(0x5e6f, 200),
  )
})

test('matchWildcard agrees with a naive recursive matcher', () => {
  fc.assert(
    fc.property(wildcardPatternArb, wildcardValueArb, fc.boolean(), (pattern, value, ci) => {
      assert.equal(matchWildcard(pattern, value, ci), naiveWildcard(pattern, value, ci))
    }),
    params(0x6f70, 2000),
  )
})
