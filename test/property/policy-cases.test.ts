/**
 * The case loader is what makes the conformance runner strict: it must refuse an empty folder,
 * an unknown key at any level, a missing required key, and a case whose expectation cannot be
 * checked (an allow without its deciding statements).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadPolicyCases } from './policy-cases.js'

const good = {
  description: 'an allow',
  source:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
  policies: {
    identity: [
      {
        id: 'p',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
        },
      },
    ],
  },
  request: { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' },
  expect: { decision: 'allowed', matched: [{ policyId: 'p', index: 0 }] },
}

function withFolder(files: Record<string, unknown>, f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-policy-cases-'))
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true })
      writeFileSync(join(dir, name), JSON.stringify(content))
    }
    f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('a well-formed case loads, with its path relative to the folder', () => {
  withFolder({ 'family/ok.json': good }, (dir) => {
    const cases = loadPolicyCases(dir)
    assert.equal(cases.length, 1)
    const [c] = cases
    assert.ok(c)
    assert.equal(c.file, 'family/ok.json')
    assert.deepEqual(c.request.context, {})
  })
})

test('an empty folder is an error', () => {
  withFolder({}, (dir) => {
    assert.throws(() => loadPolicyCases(dir), /no policy cases/)
  })
})

const broken: [string, unknown][] = [
  ['an unknown top-level key', { ...good, comment: 'x' }],
  ['an unknown key in expect', { ...good, expect: { ...good.expect, decison: 'allowed' } }],
  ['an unknown key in the request', { ...good, request: { ...good.request, resources: 'x' } }],
  ['an unknown policy layer', { ...good, policies: { identities: good.policies.identity } }],
  [
    'an unknown key in a policy',
    { ...good, policies: { identity: [{ ...good.policies.identity[0], kind: 'identity' }] } },
  ],
  [
    'an unknown key in a context entry',
    { ...good, request: { ...good.request, context: { k: { type: 'string', value: ['x'] } } } },
  ],
  [
    'a single-valued context type with two values',
    {
      ...good,
      request: { ...good.request, context: { k: { type: 'string', values: ['a', 'b'] } } },
    },
  ],
  [
    'an unknown context type',
    { ...good, request: { ...good.request, context: { k: { type: 'arn', values: ['a'] } } } },
  ],
  ['a missing source', { ...good, source: undefined }],
  ['an allow without its statements', { ...good, expect: { decision: 'allowed' } }],
  ['an unknown decision', { ...good, expect: { decision: 'denied' } }],
  [
    'a condition mismatch without its key',
    {
      ...good,
      expect: {
        decision: 'implicitDeny',
        mismatch: { policyId: 'p', index: 0, element: 'condition' },
      },
    },
  ],
]

for (const [what, content] of broken) {
  test(`a case with ${what} is an error`, () => {
    withFolder({ 'family/bad.json': content }, (dir) => {
      assert.throws(() => loadPolicyCases(dir))
    })
  })
}

test('a file that is not a .json case is an error', () => {
  withFolder({ 'family/ok.json': good, 'family/notes.txt': 'x' }, (dir) => {
    assert.throws(() => loadPolicyCases(dir), /not a \.json case file/)
  })
})
