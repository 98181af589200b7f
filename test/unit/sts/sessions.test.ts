import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { RoleSessionPrincipal } from '../../../src/iam/index.js'
import {
  createCredentialLookup,
  createSessionCodec,
  loadSessionSecret,
  MAX_SESSION_TOKEN_LENGTH,
  OPENED_SESSIONS_KEPT,
} from '../../../src/sts/index.js'
import { ACCOUNT, harness, ROOT, type Harness } from './harness.js'

const principal = (expiresAtMs: number): RoleSessionPrincipal => ({
  kind: 'role-session',
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`,
  userId: 'AROAEXAMPLEEXAMPLE123:s',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
  roleId: 'AROAEXAMPLEEXAMPLE123',
  roleName: 'app',
  sessionName: 's',
  expiresAtMs,
})

describe('session codec', () => {
  const codec = createSessionCodec(randomBytes(32))

  test('ASIA + 16 base32 characters, a 40-character secret, a base64 token that opens', () => {
    const c = codec.issue(principal(1000))
    assert.match(c.accessKeyId, /^ASIA[A-Z2-7]{16}$/)
    assert.match(c.secretAccessKey, /^[A-Za-z0-9+/]{40}$/)
    assert.match(c.sessionToken, /^[A-Za-z0-9+/]+=*$/)
    const opened = codec.open(c.sessionToken)
    assert.deepEqual(opened, {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      principal: principal(1000),
    })
    assert.ok(!c.sessionToken.includes(c.secretAccessKey), 'the secret is encrypted, not encoded')
  })

  test('each issue gets a fresh key id and secret', () => {
    const a = codec.issue(principal(1))
    const b = codec.issue(principal(1))
    assert.notEqual(a.accessKeyId, b.accessKeyId)
    assert.notEqual(a.secretAccessKey, b.secretAccessKey)
  })

  test('any flipped byte, another key, another version or junk does not open', () => {
    const t = codec.issue(principal(1)).sessionToken
    const raw = Buffer.from(t, 'base64')
    for (const i of [0, 1, 14, 30, raw.length - 1]) {
      const bad = Buffer.from(raw)
      bad[i] = (bad[i] ?? 0) ^ 1
      assert.equal(codec.open(bad.toString('base64')), undefined, `byte ${i}`)
    }
    assert.equal(createSessionCodec(randomBytes(32)).open(t), undefined)
    assert.equal(codec.open(`${t}!`), undefined)
    assert.equal(codec.open(''), undefined)
    assert.equal(codec.open('A'.repeat(MAX_SESSION_TOKEN_LENGTH + 4)), undefined)
  })

  test('opened tokens are remembered: a tampered copy of one still does not open, nor past the bound', () => {
    const first = codec.issue(principal(5))
    assert.equal(codec.open(first.sessionToken)?.accessKeyId, first.accessKeyId)
    const raw = Buffer.from(first.sessionToken, 'base64')
    for (const i of [1, 20, raw.length - 1]) {
      const bad = Buffer.from(raw)
      bad[i] = (bad[i] ?? 0) ^ 1
      assert.equal(codec.open(bad.toString('base64')), undefined, `byte ${i}`)
    }
    assert.equal(codec.open(`${first.sessionToken}=`), undefined)
    assert.equal(createSessionCodec(randomBytes(32)).open(first.sessionToken), undefined)
    const many = Array.from({ length: OPENED_SESSIONS_KEPT + 10 }, () => codec.issue(principal(6)))
    for (const c of many)
      assert.equal(codec.open(c.sessionToken)?.secretAccessKey, c.secretAccessKey)
    assert.deepEqual(
      codec.open(first.sessionToken),
      {
        accessKeyId: first.accessKeyId,
        secretAccessKey: first.secretAccessKey,
        principal: principal(5),
      },
      'forgotten, then opened again',
    )
  })

  test('a key that is not 32 bytes is refused', () => {
    assert.throws(() => createSessionCodec(randomBytes(16)), RangeError)
  })
})

describe('credential lookup', () => {
  let h: Harness
  before(async () => {
    h = await harness()
  })
  after(async () => {
    await h.close()
  })

  test('an active AKIA key signs as the root of its account; inactive or with a token is unknown', () => {
    const lookup = createCredentialLookup({ store: h.store, sessions: h.sessions, clock: h.clock })
    const found = lookup({ accessKeyId: ROOT.accessKeyId, sessionToken: undefined })
    assert.deepEqual(found, {
      status: 'found',
      secretAccessKey: ROOT.secretAccessKey,
      principal: {
        kind: 'root',
        accountId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        userId: ACCOUNT,
      },
    })
    assert.equal(
      (lookup({ accessKeyId: ROOT.accessKeyId, sessionToken: 'x' }) as { status: string }).status,
      'unknown',
    )
    assert.equal(
      (
        lookup({ accessKeyId: 'AKIANOSUCHKEY0000000', sessionToken: undefined }) as {
          status: string
        }
      ).status,
      'unknown',
    )
    h.store.accessKeys.create({
      accessKeyId: 'AKIAINACTIVE00000000',
      secretAccessKey: 'x'.repeat(40),
      accountId: ACCOUNT,
      principalArn: `arn:aws:iam::${ACCOUNT}:root`,
      status: 'Inactive',
    })
    assert.equal(
      (
        lookup({ accessKeyId: 'AKIAINACTIVE00000000', sessionToken: undefined }) as {
          status: string
        }
      ).status,
      'unknown',
    )
  })

  test('an ASIA key needs its own session token; after expiry it is expired', () => {
    const lookup = createCredentialLookup({ store: h.store, sessions: h.sessions, clock: h.clock })
    const a = h.sessions.issue(principal(h.clock.now() + 1000))
    const b = h.sessions.issue(principal(h.clock.now() + 1000))
    const status = (id: string, token: string | undefined) =>
      (lookup({ accessKeyId: id, sessionToken: token }) as { status: string }).status
    assert.equal(status(a.accessKeyId, a.sessionToken), 'found')
    assert.equal(status(a.accessKeyId, undefined), 'unknown')
    assert.equal(status(a.accessKeyId, b.sessionToken), 'unknown')
    h.clock.advance(1000)
    assert.equal(status(a.accessKeyId, a.sessionToken), 'expired')
  })
})

describe('signed calls with STS credentials', () => {
  let h: Harness
  let roleArn: string
  before(async () => {
    h = await harness()
    roleArn = h.role('app')
  })
  after(async () => {
    await h.close()
  })

  async function credentials(session: string) {
    const r = await h.assume({
      RoleArn: roleArn,
      RoleSessionName: session,
      WebIdentityToken: h.token(),
    })
    assert.equal(r.status, 200, r.body)
    const c = r.result['Credentials'] as Record<string, string>
    return {
      accessKeyId: c['AccessKeyId'] ?? '',
      secretAccessKey: c['SecretAccessKey'] ?? '',
      sessionToken: c['SessionToken'] ?? '',
    }
  }

  test('GetCallerIdentity: root and the assumed role session', async () => {
    const root = await h.signed('GetCallerIdentity', ROOT)
    assert.deepEqual(root.result, {
      UserId: ACCOUNT,
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:root`,
    })
    const keys = await credentials('gci')
    const me = await h.signed('GetCallerIdentity', keys)
    const role = h.store.roles.get(ACCOUNT, 'app')
    assert.deepEqual(me.result, {
      UserId: `${role?.roleId ?? ''}:gci`,
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/gci`,
    })
  })

  test('expired session credentials: ExpiredToken', async () => {
    const keys = await credentials('exp')
    h.clock.advance(3600_000)
    const r = await h.signed('GetCallerIdentity', keys)
    h.clock.advance(-3600_000)
    assert.equal(r.status, 403, r.body)
    assert.equal(r.code, 'ExpiredToken')
    assert.equal(r.message, 'The security token included in the request is expired')
  })

  test('a tampered session token: InvalidClientTokenId', async () => {
    const keys = await credentials('tamper')
    const raw = Buffer.from(keys.sessionToken, 'base64')
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 0x40
    const r = await h.signed('GetCallerIdentity', { ...keys, sessionToken: raw.toString('base64') })
    assert.equal(r.status, 403, r.body)
    assert.equal(r.code, 'InvalidClientTokenId')
  })

  test('an unsigned GetCallerIdentity: MissingAuthenticationToken', async () => {
    const resp = await h.app.handle({
      method: 'POST',
      url: '/',
      headers: { host: ['127.0.0.1'], 'content-type': ['application/x-www-form-urlencoded'] },
      body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'),
    })
    assert.equal(resp.status, 403)
    assert.match(resp.body, /MissingAuthenticationToken/)
  })

  test('a session that another replica opens with the same store key', async () => {
    const keys = await credentials('replica')
    const other = await harness()
    try {
      const codec = createSessionCodec(loadSessionSecret(h.store))
      assert.equal(codec.open(keys.sessionToken)?.accessKeyId, keys.accessKeyId)
      const foreign = createSessionCodec(loadSessionSecret(other.store))
      assert.equal(foreign.open(keys.sessionToken), undefined)
    } finally {
      await other.close()
    }
  })
})
