/**
 * The naive reference evaluator is only useful if it is right: it must reach the documented
 * decision, with the documented deciding statements, on every hand-written conformance case.
 * The property tests then trust it as the second opinion on generated policies.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { repoPath } from '../helpers/paths.js'
import { naiveEvaluate, naiveWildcard, sortRefs } from './naive-evaluator.js'
import { loadPolicyCases } from './policy-cases.js'

const cases = loadPolicyCases(repoPath('test', 'fixtures', 'policy'))

for (const c of cases) {
  test(`naive evaluator agrees with ${c.file}: ${c.description}`, () => {
    const got = naiveEvaluate(c.request, c.policies)
    assert.equal(got.decision, c.expect.decision, c.source)
    assert.deepEqual(got.matched, sortRefs(c.expect.matched ?? []), c.source)
  })
}

test('naive wildcard matcher: literal, *, ?, case', () => {
  assert.equal(naiveWildcard('s3:Get*', 's3:GetObject', false), true)
  assert.equal(naiveWildcard('s3:get*', 's3:GetObject', false), false)
  assert.equal(naiveWildcard('s3:get*', 's3:GetObject', true), true)
  assert.equal(naiveWildcard('a?c', 'abc', false), true)
  assert.equal(naiveWildcard('a?c', 'ac', false), false)
  assert.equal(naiveWildcard('*', '', false), true)
  assert.equal(naiveWildcard('', 'x', false), false)
  assert.equal(naiveWildcard('*a*a*a*b', 'a'.repeat(60), false), false)
})
