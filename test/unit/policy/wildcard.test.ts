import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { matchArn, matchWildcard } from '../../../src/policy/index.js'

/** The textbook meaning of a wildcard pattern, as a regular expression (test oracle only). */
function reference(pattern: string, value: string, ci: boolean): boolean {
  const body = Array.from(pattern)
    .map((c) =>
      c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('')
  return new RegExp(`^${body}$`, ci ? 'i' : '').test(value)
}

test('* matches any run (empty included), ? exactly one character', () => {
  const yes: [string, string][] = [
    ['*', ''],
    ['*', 'anything at all'],
    ['s3:Get*', 's3:GetObject'],
    ['s3:Get*', 's3:Get'],
    ['*Object', 's3:GetObject'],
    ['s3:*Object*', 's3:GetObjectAcl'],
    ['a?c', 'abc'],
    ['a*b*c', 'aXXbYYc'],
    ['a*a', 'aa'],
    ['abc', 'abc'],
    ['', ''],
  ]
  const no: [string, string][] = [
    ['a?c', 'ac'],
    ['a?c', 'abbc'],
    ['abc', 'abcd'],
    ['a*a', 'a'],
    ['*b', 'abc'],
    ['s3:Get*', 's3:PutObject'],
    ['', 'x'],
  ]
  for (const [p, v] of yes) assert.equal(matchWildcard(p, v, false), true, `${p} ~ ${v}`)
  for (const [p, v] of no) assert.equal(matchWildcard(p, v, false), false, `${p} !~ ${v}`)
})

test('case-insensitive when asked', () => {
  assert.equal(matchWildcard('S3:get*', 's3:GetObject', true), true)
  assert.equal(matchWildcard('S3:get*', 's3:GetObject', false), false)
})

test('agrees with a regular-expression reference on random patterns', () => {
  const alpha = fc.constantFrom('a', 'b', '*', '?', '/', ':')
  fc.assert(
    fc.property(
      fc.array(alpha, { maxLength: 10 }).map((a) => a.join('')),
      fc
        .array(fc.constantFrom('a', 'b', 'A', '/', ':', '*', '?'), { maxLength: 10 })
        .map((a) => a.join('')),
      fc.boolean(),
      (p, v, ci) => matchWildcard(p, v, ci) === reference(p, v, ci),
    ),
    { numRuns: 10000 },
  )
})

test('a pathological pattern runs in linear time (no backtracking)', () => {
  // With backtracking, `*a*a*...*b` (50 stars) against 100 000 a's takes astronomically long.
  const pattern = `${'*a'.repeat(50)}*b`
  const value = 'a'.repeat(100_000)
  const t0 = performance.now()
  assert.equal(matchWildcard(pattern, value, false), false)
  assert.equal(matchWildcard(`${'*a'.repeat(50)}*`, value, false), true)
  assert.equal(matchWildcard(`${'*?'.repeat(50)}*b`, value, true), false)
  assert.equal(matchWildcard(`*${'a?'.repeat(20)}b*`, value, false), false)
  assert.equal(matchWildcard(`*${'a?'.repeat(20)}a*`, value, false), true)
  const ms = performance.now() - t0
  // About 10 ms alone; 244 ms was seen on a loaded 2-core machine. Backtracking takes
  // hours here, so 2 s still tells the two apart without failing on a busy neighbour.
  assert.ok(ms < 2000, `took ${ms.toFixed(1)} ms`)
})

test('ARNs match segment by segment; * in the resource part spans / and :', () => {
  const yes: [string, string][] = [
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c'],
    ['arn:aws:s3:::bucket*', 'arn:aws:s3:::bucket/key'],
    ['arn:aws:ec2:*:*:instance/*', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1'],
    ['arn:aws:iam::*:role/*', 'arn:aws:iam::111122223333:role/path/x'],
    ['arn:aws:logs:us-*:*:log-group:*', 'arn:aws:logs:us-west-2:1:log-group:a:log-stream:b'],
    ['arn:aws:s3:::b?cket', 'arn:aws:s3:::bucket'],
    ['*', 'arn:aws:s3:::anything'],
    ['*', '*'],
  ]
  const no: [string, string][] = [
    ['arn:aws:s3:::my-pod-secrets-bucket', 'arn:aws:s3:::my-pod-secrets-bucket/key'],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket'],
    ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/key'],
    // `*` does not cross segments: the region segment cannot swallow the account.
    ['arn:aws:ec2:us*:instance/*', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1'],
    ['arn:aws:iam::*:role/*', 'arn:aws:sts::111122223333:role/x'],
    ['arn:aws:s3:::bucket/*', '*'],
    ['arn:aws:s3:::bucket/*', 'not-an-arn'],
  ]
  for (const [p, v] of yes) assert.equal(matchArn(p, v), true, `${p} ~ ${v}`)
  for (const [p, v] of no) assert.equal(matchArn(p, v), false, `${p} !~ ${v}`)
})
