/**
 * The S3 authoriser's decision cases: one case per file under test/fixtures/s3-authorize,
 * each citing the AWS page it follows. Each case builds its roles, buckets and objects,
 * asks one question as the wire would, and checks the decision, the message the client
 * reads and the decision log's record. The loader fails on an empty folder and on any
 * unknown key, so a typo cannot weaken a case.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isAwsError } from '../../../src/aws/index.js'
import type { Principal } from '../../../src/iam/index.js'
import type { S3Acl, S3Grant, S3Operation, S3PublicAccessBlock } from '../../../src/s3/index.js'
import { repoPath } from '../../helpers/paths.js'
import { OWNER, question, rootPrincipal, world, type Ask, type World } from './authorize-world.js'

type Obj = Record<string, unknown>

interface Case {
  readonly file: string
  readonly description: string
  readonly source: string
  readonly roles: readonly Obj[]
  readonly buckets: readonly Obj[]
  readonly objects: readonly Obj[]
  readonly caller: Obj
  readonly request: Obj
  readonly expect: { readonly decision: string; readonly message?: string }
}

const KEYS: Readonly<Record<string, readonly string[]>> = {
  case: ['description', 'source', 'roles', 'buckets', 'objects', 'caller', 'request', 'expect'],
  role: ['name', 'account', 'policies', 'boundary'],
  bucket: ['name', 'owner', 'policy', 'publicAccessBlock', 'ownership', 'grants'],
  object: ['bucket', 'key', 'owner', 'grants', 'tags'],
  caller: ['kind', 'role', 'account', 'sessionPolicy'],
  request: [
    'operation',
    'bucket',
    'key',
    'headers',
    'query',
    'secure',
    'sourceIp',
    'presigned',
    'copySource',
  ],
  expect: ['decision', 'message'],
}

function strict(what: string, o: unknown, file: string): Obj {
  assert.ok(
    typeof o === 'object' && o !== null && !Array.isArray(o),
    `${file}: ${what} is an object`,
  )
  for (const k of Object.keys(o))
    assert.ok(KEYS[what]?.includes(k), `${file}: unknown ${what} key ${k}`)
  return o as Obj
}

function loadCases(dir: string): Case[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  assert.ok(files.length > 0, `no cases in ${dir}`)
  return files.map((file) => {
    const raw = strict('case', JSON.parse(readFileSync(join(dir, file), 'utf8')), file)
    const list = (k: string, what: string): Obj[] =>
      ((raw[k] ?? []) as unknown[]).map((x) => strict(what, x, file))
    assert.equal(typeof raw['description'], 'string', `${file}: description`)
    assert.match(String(raw['source']), /^https:\/\/docs\.aws\.amazon\.com\//, `${file}: source`)
    return {
      file,
      description: raw['description'] as string,
      source: raw['source'] as string,
      roles: list('roles', 'role'),
      buckets: list('buckets', 'bucket'),
      objects: list('objects', 'object'),
      caller: strict('caller', raw['caller'], file),
      request: strict('request', raw['request'], file),
      expect: strict('expect', raw['expect'], file) as Case['expect'],
    }
  })
}

const acl = (owner: string, grants: unknown): S3Acl => ({
  ownerAccountId: owner,
  grants:
    grants === undefined
      ? [{ grantee: { kind: 'Account', accountId: owner }, permission: 'FULL_CONTROL' }]
      : (grants as S3Grant[]),
})

function build(w: World, c: Case): Principal | undefined {
  for (const r of c.roles) {
    w.role({
      name: r['name'] as string,
      ...(r['account'] === undefined ? {} : { account: r['account'] as string }),
      ...(r['policies'] === undefined ? {} : { policies: r['policies'] as unknown[] }),
      ...(r['boundary'] === undefined ? {} : { boundary: r['boundary'] }),
    })
  }
  for (const b of c.buckets) {
    const owner = (b['owner'] as string | undefined) ?? OWNER
    w.bucket({
      name: b['name'] as string,
      ownerAccountId: owner,
      policy: b['policy'] === undefined ? undefined : JSON.stringify(b['policy']),
      publicAccessBlock: b['publicAccessBlock'] as S3PublicAccessBlock | undefined,
      ownership: (b['ownership'] ?? 'BucketOwnerEnforced') as 'BucketOwnerEnforced',
      acl: acl(owner, b['grants']),
    })
  }
  for (const o of c.objects) {
    const bucket = o['bucket'] as string
    const owner =
      (o['owner'] as string | undefined) ?? w.buckets.get(bucket)?.ownerAccountId ?? OWNER
    w.object(bucket, o['key'] as string, {
      acl: acl(owner, o['grants']),
      tags: (o['tags'] ?? []) as { key: string; value: string }[],
    })
  }
  const who = c.caller
  const account = (who['account'] as string | undefined) ?? OWNER
  switch (who['kind']) {
    case 'anonymous':
      return undefined
    case 'root':
      return rootPrincipal(account)
    case 'session':
      return w.session(
        who['role'] as string,
        account,
        who['sessionPolicy'] === undefined
          ? {}
          : { sessionPolicy: JSON.stringify(who['sessionPolicy']) },
      )
    default:
      throw new Error(`${c.file}: unknown caller kind`)
  }
}

const cases = loadCases(repoPath('test', 'fixtures', 's3-authorize'))

for (const c of cases) {
  test(`${c.file}: ${c.description}`, () => {
    const w = world()
    try {
      const principal = build(w, c)
      const r = c.request
      const ask: Ask = {
        ...(r as Partial<Ask>),
        operation: r['operation'] as S3Operation,
        ...(principal === undefined ? {} : { principal }),
        requestId: 'case',
      }
      let error: unknown
      try {
        w.authorize(question(ask))
      } catch (e) {
        error = e
      }
      const why = `${c.description} (${c.source})`
      const records = w.store.decisions.byRequestId('case')
      assert.equal(records.length, 1, `${why}: one decision recorded`)
      const rec = records[0]
      assert.equal(rec?.decision, c.expect.decision, `${why}: ${JSON.stringify(rec?.reasons)}`)
      if (c.expect.decision === 'allowed') {
        assert.equal(error, undefined, why)
        assert.equal(c.expect.message, undefined, `${c.file}: an allowed case has no message`)
        return
      }
      assert.ok(isAwsError(error, 'AccessDenied'), `${why}: AccessDenied thrown`)
      assert.equal(error.status, 403)
      assert.equal(error.message, c.expect.message, why)
      assert.equal(rec.errorCode, 'AccessDenied')
      assert.ok((error.reason ?? '').length > 0, 'an operator reason')
    } finally {
      w.close()
    }
  })
}
