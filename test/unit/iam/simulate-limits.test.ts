import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ACCOUNT, harness, members, policy, trustPolicy } from './harness.js'
import { simulatePage } from '../../../src/iam/actions/simulate-page.js'
import { compilePolicy } from '../../../src/policy/index.js'

interface Result {
  EvalActionName: string
  EvalResourceName: string
  EvalDecision: string
}

const ALLOW_S3 = policy({ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' })

/** `n` context entries; the last one's type is not an IAM type when `badLast`. */
function contextEntries(n: number, badLast = false): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 1; i <= n; i++) {
    out[`ContextEntries.member.${i}.ContextKeyName`] = `aws:key${i}`
    out[`ContextEntries.member.${i}.ContextKeyType`] = badLast && i === n ? 'nope' : 'stringList'
    out[`ContextEntries.member.${i}.ContextKeyValues.member.1`] = 'v'
  }
  return out
}

const names = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`)

test('a caller without iam:SimulateCustomPolicy sending a huge input is refused before the input is read', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'nobody', AssumeRolePolicyDocument: trustPolicy('o/x') })
    const keys = h.session('nobody')
    const huge = {
      ...members('PolicyInputList', [ALLOW_S3]),
      ...members('ActionNames', names('s3:GetObject', 1000)),
      ...members('ResourceArns', names('arn:aws:s3:::b/k', 1000)),
      ...contextEntries(8000, true),
    }
    const t0 = performance.now()
    const custom = await h.call('SimulateCustomPolicy', huge, { keys })
    const principal = await h.call(
      'SimulatePrincipalPolicy',
      { ...huge, PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/nobody` },
      { keys },
    )
    const ms = performance.now() - t0
    // An invalid context entry would be a ValidationError if it were read first.
    assert.equal(custom.code, 'AccessDenied')
    assert.equal(principal.code, 'AccessDenied')
    assert.ok(ms < 2000, `two refusals took ${ms} ms`)
    const root = await h.call('SimulateCustomPolicy', huge)
    assert.equal(root.code, 'ValidationError', 'an authorised caller is told about the entry')
    assert.match(root.message ?? '', /contextEntries\.8000\.member\.contextKeyType/)
  } finally {
    h.close()
  }
})

test('8,000 context entries from an authorised caller are read and evaluated quickly', async () => {
  const h = harness()
  try {
    const t0 = performance.now()
    const out = await h.ok('SimulateCustomPolicy', {
      ...members('PolicyInputList', [ALLOW_S3]),
      ...members('ActionNames', ['s3:GetObject']),
      ...members('ResourceArns', ['arn:aws:s3:::b/k']),
      ...contextEntries(8000),
    })
    const ms = performance.now() - t0
    assert.equal((out['EvaluationResults'] as Result[])[0]?.EvalDecision, 'allowed')
    assert.ok(ms < 2000, `8,000 entries took ${ms} ms`)
  } finally {
    h.close()
  }
})

test('paging walks the ActionNames × ResourceArns product in order, Marker by Marker', async () => {
  const h = harness()
  try {
    const base = {
      ...members('PolicyInputList', [ALLOW_S3]),
      ...members('ActionNames', ['s3:GetObject', 's3:PutObject', 's3:GetBucket', 'ec2:Run']),
      ...members('ResourceArns', ['arn:aws:s3:::b/1', 'arn:aws:s3:::c/2', 'arn:aws:s3:::b/3']),
    }
    const all = (await h.ok('SimulateCustomPolicy', base))['EvaluationResults'] as Result[]
    assert.equal(all.length, 12)
    assert.deepEqual(
      all.slice(0, 4).map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision]),
      [
        ['s3:GetObject', 'arn:aws:s3:::b/1', 'allowed'],
        ['s3:GetObject', 'arn:aws:s3:::c/2', 'implicitDeny'],
        ['s3:GetObject', 'arn:aws:s3:::b/3', 'allowed'],
        ['s3:PutObject', 'arn:aws:s3:::b/1', 'implicitDeny'],
      ],
    )
    const paged: Result[] = []
    let marker: string | undefined
    let pages = 0
    do {
      const out = await h.ok('SimulateCustomPolicy', {
        ...base,
        MaxItems: '5',
        ...(marker === undefined ? {} : { Marker: marker }),
      })
      paged.push(...(out['EvaluationResults'] as Result[]))
      marker = out['IsTruncated'] === true ? String(out['Marker']) : undefined
      pages++
    } while (marker !== undefined)
    assert.equal(pages, 3)
    assert.deepEqual(paged, all)
  } finally {
    h.close()
  }
})

test('1,000 ActionNames × 1,000 ResourceArns: one page is evaluated, not the product', async () => {
  const h = harness()
  try {
    const base = {
      ...members('PolicyInputList', [ALLOW_S3]),
      ...members('ActionNames', names('s3:GetObject', 1000)),
      ...members('ResourceArns', names('arn:aws:s3:::b/k', 1000)),
    }
    const heap0 = process.memoryUsage().heapUsed
    const t0 = performance.now()
    const first = await h.ok('SimulateCustomPolicy', { ...base, MaxItems: '1000' })
    const ms = performance.now() - t0
    const grown = process.memoryUsage().heapUsed - heap0
    const results = first['EvaluationResults'] as Result[]
    assert.equal(results.length, 1000)
    assert.equal(first['IsTruncated'], true)
    assert.ok(ms < 3000, `a page of the product took ${ms} ms (the whole product took 15 s)`)
    assert.ok(grown < 300 * 2 ** 20, `heap grew ${grown} bytes (the whole product took 1 GB)`)
    const second = await h.ok('SimulateCustomPolicy', {
      ...base,
      MaxItems: '2',
      Marker: String(first['Marker']),
    })
    assert.deepEqual(
      (second['EvaluationResults'] as Result[]).map((r) => [r.EvalActionName, r.EvalResourceName]),
      [
        ['s3:GetObject1', 'arn:aws:s3:::b/k0'],
        ['s3:GetObject1', 'arn:aws:s3:::b/k1'],
      ],
    )
  } finally {
    h.close()
  }
})

test('a page ends early, with a Marker, when its pairs would spend more than the budget', () => {
  const statements = Array.from({ length: 100 }, (_, i) => ({
    Effect: 'Allow',
    Action: `s3:Get${i}`,
    Resource: '*',
  }))
  const identity = [compilePolicy(policy(...statements), 'identity', { id: 'p', type: 'none' })]
  const sim = {
    set: { identity },
    actions: ['s3:Get1', 's3:Get2', 's3:Get3'],
    resources: ['a', 'b'],
    context: {},
  }
  // A pair costs 1 + 3 × 100 statement visits: a budget of 1,000 fits three.
  const first = simulatePage(sim, { marker: undefined, maxItems: 1000 }, 1000)
  assert.equal(first.items.length, 3)
  assert.equal(first.isTruncated, true)
  const rest = simulatePage(sim, { marker: first.marker, maxItems: 1000 }, 1000)
  assert.equal(rest.items.length, 3)
  assert.equal(rest.isTruncated, false)
  const tiny = simulatePage(sim, { marker: undefined, maxItems: 1000 }, 1)
  assert.equal(tiny.items.length, 1, 'a page always makes progress')
})
