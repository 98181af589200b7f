import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ACCOUNT, claims, harness, irsaTrust, rawJwt, type Harness } from './harness.js'

/**
 * The web identity token, the secret access key and the session token never appear in a
 * response error body, a log line or the decision log, over every failure path.
 */
let h: Harness
before(async () => {
  h = await harness({ fetcher: { timeoutMs: 300 } })
})
after(async () => {
  await h.close()
})

test('no token, secret or session token in any error body, log line or decision', async () => {
  const roleArn = h.role('app')
  const now = Math.floor(h.clock.now() / 1000)
  const key = h.issuer.key
  const jwt = (
    header: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    k: Parameters<typeof rawJwt>[2] = key.privateKey,
  ) => rawJwt({ alg: 'RS256', kid: key.kid, ...header }, claims(h, extra), k)
  const closedPort = `127.0.0.1:1/id/CLOSED`
  const closed = h.store.oidcProviders.create({
    accountId: ACCOUNT,
    url: closedPort,
    clientIds: ['sts.amazonaws.com'],
  })
  const closedRole = h.role('closed', irsaTrust(closed.arn, closedPort))
  const [a = '', b = '', s = ''] = h.token().split('.')
  const cases: { token: string; params?: Record<string, string>; role?: string }[] = [
    { token: 'SENTINEL-not-a-jwt-SENTINEL-must-never-appear' },
    { token: jwt({ alg: 'none' }, {}, undefined) },
    { token: jwt({ alg: 'HS256' }, {}, 'SENTINEL-hmac-secret') },
    { token: jwt({ alg: 'PS256' }) },
    { token: jwt({}, { iss: 'https://unknown.example/x' }) },
    { token: jwt({ kid: 'unknown' }) },
    { token: `${a}.${b}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}` },
    { token: jwt({}, { exp: now - 1000 }) },
    { token: jwt({}, { nbf: now + 1000 }) },
    { token: h.token({ audiences: ['elsewhere'] }) },
    { token: h.token({ name: 'other' }) },
    { token: h.token(), role: `arn:aws:iam::${ACCOUNT}:role/missing` },
    { token: `SENTINEL${'x'.repeat(20001)}` },
    { token: h.token(), params: { RoleSessionName: 'bad name!' } },
    { token: h.token(), params: { DurationSeconds: '7200' } },
    { token: h.token(), params: { Policy: '{"Statement' } },
    { token: jwt({}, { iss: `https://${closedPort}` }), role: closedRole },
    { token: jwt({}, { 'https://aws.amazon.com/tags': { principal_tags: { a: ['b'] } } }) },
  ]
  const bodies: string[] = []
  const tokens: string[] = []
  for (const [i, c] of cases.entries()) {
    const r = await h.assume({
      RoleArn: c.role ?? roleArn,
      RoleSessionName: `case${i}`,
      WebIdentityToken: c.token,
      ...c.params,
    })
    assert.notEqual(r.status, 200, `case ${i} should fail: ${r.body}`)
    bodies.push(r.body)
    tokens.push(c.token)
  }
  // Signed-call failures with real session credentials.
  const ok = await h.assume({
    RoleArn: roleArn,
    RoleSessionName: 'good',
    WebIdentityToken: h.token(),
  })
  assert.equal(ok.status, 200)
  const cr = ok.result['Credentials'] as Record<string, string>
  const keys = {
    accessKeyId: cr['AccessKeyId'] ?? '',
    secretAccessKey: cr['SecretAccessKey'] ?? '',
    sessionToken: cr['SessionToken'] ?? '',
  }
  const raw = Buffer.from(keys.sessionToken, 'base64')
  raw[20] = (raw[20] ?? 0) ^ 1
  const failures = [
    await h.signed('GetCallerIdentity', { ...keys, sessionToken: raw.toString('base64') }),
    await h.signed('GetCallerIdentity', {
      ...keys,
      secretAccessKey: `${keys.secretAccessKey.slice(0, 39)}x`,
    }),
    await h.signed('GetCallerIdentity', {
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
    }),
  ]
  h.clock.advance(7200_000)
  failures.push(await h.signed('GetCallerIdentity', keys))
  for (const f of failures) {
    assert.equal(f.status, 403, f.body)
    bodies.push(f.body)
  }
  const secrets = [
    ...tokens.map((t) => (t.length > 60 ? t.slice(-60) : t)),
    ...tokens.flatMap((t) => t.split('.').filter((p) => p.length > 30)),
    keys.secretAccessKey,
    keys.sessionToken,
    keys.sessionToken.slice(0, 40),
    raw.toString('base64').slice(-40),
    'SENTINEL',
  ]
  const decisions = JSON.stringify(h.store.decisions.recent(1000))
  assert.ok(h.logs.length > cases.length, 'every request logged')
  for (const secret of secrets) {
    for (const body of bodies)
      assert.ok(!body.includes(secret), `an error body carries a secret: ${body.slice(0, 200)}`)
    for (const line of h.logs)
      assert.ok(!line.includes(secret), `a log line carries a secret: ${line.slice(0, 300)}`)
    assert.ok(!decisions.includes(secret), 'the decision log carries a secret')
  }
})
