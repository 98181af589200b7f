import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAwsManagedCatalog } from '../../../src/iam/aws-managed.js'
import { JsonScanError, objectMembers, parseRange } from '../../../src/iam/json-members.js'

test('objectMembers: keys and value ranges, strings with escapes and brackets, nested values', () => {
  const text = ' { "a\\"}" : "x\\\\\\"]}" , "b":[1,{"c":"}"}], "n": -1.5e3 ,"t":true,"e":{}} '
  const buf = Buffer.from(text)
  const { members, end } = objectMembers(buf, 0)
  assert.deepEqual(
    members.map((m) => m.key),
    ['a"}', 'b', 'n', 't', 'e'],
  )
  assert.deepEqual(
    members.map((m) => parseRange(buf, m)),
    ['x\\"]}', [1, { c: '}' }], -1500, true, {}],
  )
  assert.equal(text.slice(end).trim(), '')
  assert.throws(() => objectMembers(Buffer.from('{"a":1'), 0), JsonScanError)
  assert.throws(() => objectMembers(Buffer.from('[1]'), 0), /expected an object/)
})

test('the catalog over a file in the package layout: by ARN, versions newest first, paths, unknown ARNs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-catalog-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const doc = (action: string): Record<string, unknown> => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
  })
  const file = join(dir, 'managedPolicies.json')
  writeFileSync(
    file,
    JSON.stringify(
      {
        Zeta: {
          arn: 'arn:aws:iam::aws:policy/service-role/Zeta',
          latestVersionId: 'v10',
          versionsCount: 2,
          versions: {
            v2: { createdDate: '2020-01-01T00:00:00.000Z', document: doc('s3:Get*') },
            v10: { createdDate: '2021-01-01T00:00:00.000Z', document: doc('s3:*') },
          },
          createdDate: '2020-01-01T00:00:00.000Z',
          lastUpdatedDate: '2021-01-01T00:00:00.000Z',
        },
        alpha: {
          arn: 'arn:aws:iam::aws:policy/alpha',
          latestVersionId: 'v1',
          versionsCount: 1,
          versions: { v1: { createdDate: '2019-05-05T00:00:00.000Z', document: doc('ec2:*') } },
          createdDate: '2019-05-05T00:00:00.000Z',
          lastUpdatedDate: '2019-05-05T00:00:00.000Z',
        },
      },
      null,
      4,
    ),
  )
  const c = createAwsManagedCatalog(file)
  assert.deepEqual(
    c.list().map((p) => p.name),
    ['alpha', 'Zeta'],
    'by name, any case',
  )
  const z = c.get('arn:aws:iam::aws:policy/service-role/Zeta')
  assert.ok(z)
  assert.equal(z.path, '/service-role/')
  assert.equal(z.defaultVersionId, 'v10')
  assert.equal(z.createdAt, Date.UTC(2020, 0, 1))
  assert.equal(z.updatedAt, Date.UTC(2021, 0, 1))
  assert.match(z.policyId, /^ANPA[A-Z2-7]{17}$/)
  assert.notEqual(z.policyId, c.get('arn:aws:iam::aws:policy/alpha')?.policyId)
  const versions = c.versions(z.arn)
  assert.deepEqual(
    versions.map((v) => [v.versionId, v.isDefaultVersion]),
    [
      ['v10', true],
      ['v2', false],
    ],
  )
  assert.deepEqual(JSON.parse(c.version(z.arn, 'v2')?.document ?? ''), doc('s3:Get*'))
  assert.equal(c.get('arn:aws:iam::aws:policy/Zeta'), undefined, 'the path is part of the ARN')
  assert.deepEqual(c.versions('arn:aws:iam::aws:policy/none'), [])
  assert.equal(c.version(z.arn, 'v3'), undefined)
})
