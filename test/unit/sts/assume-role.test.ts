import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ACCOUNT, harness, ROOT, type Harness } from './harness.js'

const trustAws = (principal: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
  })

describe('AssumeRole (signed)', () => {
  let h: Harness
  let webRole: string
  before(async () => {
    h = await harness()
    webRole = h.role('web')
  })
  after(async () => {
    await h.close()
  })

  async function sessionKeys(name: string) {
    const r = await h.assume({
      RoleArn: webRole,
      RoleSessionName: name,
      WebIdentityToken: h.token(),
    })
    const c = r.result['Credentials'] as Record<string, string>
    return {
      accessKeyId: c['AccessKeyId'] ?? '',
      secretAccessKey: c['SecretAccessKey'] ?? '',
      sessionToken: c['SessionToken'] ?? '',
    }
  }

  test('the account root assumes a role trusting the account', async () => {
    const arn = h.role('admin', trustAws(`arn:aws:iam::${ACCOUNT}:root`))
    const r = await h.signed('AssumeRole', ROOT, { RoleArn: arn, RoleSessionName: 'ops' })
    assert.equal(r.status, 200, r.body)
    const user = r.result['AssumedRoleUser'] as Record<string, string>
    assert.equal(user['Arn'], `arn:aws:sts::${ACCOUNT}:assumed-role/admin/ops`)
    const c = r.result['Credentials'] as Record<string, string>
    const me = await h.signed('GetCallerIdentity', {
      accessKeyId: c['AccessKeyId'] ?? '',
      secretAccessKey: c['SecretAccessKey'] ?? '',
      sessionToken: c['SessionToken'] ?? '',
    })
    assert.equal(me.result['Arn'], `arn:aws:sts::${ACCOUNT}:assumed-role/admin/ops`)
  })

  test('a trust policy that does not name the caller: AccessDenied in AssumeRole’s words', async () => {
    const arn = h.role('closed', trustAws('arn:aws:iam::444455556666:root'))
    const r = await h.signed('AssumeRole', ROOT, { RoleArn: arn, RoleSessionName: 'ops' })
    assert.equal(r.status, 403, r.body)
    assert.equal(r.code, 'AccessDenied')
    assert.equal(
      r.message,
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    )
  })

  test('role chaining: a session naming the role in the trust policy gets at most one hour', async () => {
    const arn = h.role('chained', trustAws(`arn:aws:iam::${ACCOUNT}:role/web`), 43200)
    const keys = await sessionKeys('chain')
    const long = await h.signed('AssumeRole', keys, {
      RoleArn: arn,
      RoleSessionName: 'cc',
      DurationSeconds: '7200',
    })
    assert.equal(long.code, 'ValidationError')
    assert.equal(
      long.message,
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    )
    const ok = await h.signed('AssumeRole', keys, { RoleArn: arn, RoleSessionName: 'cc' })
    assert.equal(ok.status, 200, ok.body)
  })

  test('a trust policy naming only the account needs the session’s own permission', async () => {
    const arn = h.role('delegated', trustAws(ACCOUNT))
    const keys = await sessionKeys('deleg')
    const denied = await h.signed('AssumeRole', keys, { RoleArn: arn, RoleSessionName: 'dd' })
    assert.equal(denied.status, 403, denied.body)
    assert.equal(denied.code, 'AccessDenied')
    h.store.rolePolicies.putInline(
      ACCOUNT,
      'web',
      'assume',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: arn }],
      }),
    )
    const allowed = await h.signed('AssumeRole', keys, { RoleArn: arn, RoleSessionName: 'dd' })
    assert.equal(allowed.status, 200, allowed.body)
  })

  test('a missing role: AccessDenied', async () => {
    const r = await h.signed('AssumeRole', ROOT, {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/none`,
      RoleSessionName: 'xx',
    })
    assert.equal(r.status, 403)
    assert.equal(r.code, 'AccessDenied')
  })
})
