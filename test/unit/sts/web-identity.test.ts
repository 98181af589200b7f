import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { readSentChain, endpointOf, sha1Thumbprint } from '../../../src/oidc/index.js'
import {
  ACCOUNT,
  claims,
  harness,
  irsaTrust,
  rawJwt,
  SA,
  type Harness,
  type StsResponse,
} from './harness.js'

const DENIED = 'Not authorized to perform sts:AssumeRoleWithWebIdentity'
const INVALID = 'The web identity token that was passed could not be validated.'

function lastDecision(h: Harness): Record<string, unknown> {
  const [d] = h.store.decisions.recent(1)
  assert.ok(d !== undefined, 'a decision was recorded')
  return { ...d, reasons: d.reasons }
}

function expectError(r: StsResponse, status: number, code: string, message: string): void {
  assert.equal(r.status, status, r.body)
  assert.equal(r.code, code, r.body)
  assert.equal(r.message, message)
}

describe('AssumeRoleWithWebIdentity: every check, AWS code and message', () => {
  let h: Harness
  let roleArn: string
  let n = 0
  const name = () => `s${++n}`
  const assume = (token: string, extra: Record<string, string> = {}) =>
    h.assume({ RoleArn: roleArn, RoleSessionName: name(), WebIdentityToken: token, ...extra })

  before(async () => {
    h = await harness({ fetcher: { timeoutMs: 400 } })
    roleArn = h.role('app')
  })
  after(async () => {
    await h.close()
  })

  test('a good token gets credentials, the subject, provider, audience and assumed-role user', async () => {
    const r = await assume(`${h.token()}\n`)
    assert.equal(r.status, 200, r.body)
    const c = r.result['Credentials'] as Record<string, unknown>
    assert.match(c['AccessKeyId'] as string, /^ASIA[A-Z2-7]{16}$/)
    assert.match(c['SecretAccessKey'] as string, /^[A-Za-z0-9+/]{40}$/)
    assert.equal(typeof c['SessionToken'], 'string')
    assert.equal(c['Expiration'], Math.floor(h.clock.now() / 1000) + 3600)
    assert.equal(r.result['SubjectFromWebIdentityToken'], SA)
    assert.equal(r.result['Provider'], h.providerArn)
    assert.equal(r.result['Audience'], 'sts.amazonaws.com')
    assert.equal(r.result['PackedPolicySize'], undefined)
    await new Promise(setImmediate) // successes are logged in batches, on the next turn
    const user = r.result['AssumedRoleUser'] as Record<string, string>
    const role = h.store.roles.get(ACCOUNT, 'app')
    assert.equal(user['Arn'], `arn:aws:sts::${ACCOUNT}:assumed-role/app/s${n}`)
    assert.equal(user['AssumedRoleId'], `${role?.roleId ?? ''}:s${n}`)
    const d = lastDecision(h)
    assert.equal(d['decision'], 'allowed')
    assert.equal((d['reasons'] as Record<string, unknown>)['check'], 'all passed')
  })

  test('XML rendering in the model order, Expiration without fractions', async () => {
    const r = await h.assume(
      { RoleArn: roleArn, RoleSessionName: name(), WebIdentityToken: h.token() },
      { xml: true },
    )
    assert.equal(r.status, 200, r.body)
    const order = [
      'Credentials',
      'SubjectFromWebIdentityToken',
      'AssumedRoleUser',
      'Provider',
      'Audience',
    ]
    const at = order.map((e) => r.body.indexOf(`<${e}>`))
    assert.ok(
      at.every((i) => i > 0),
      r.body,
    )
    assert.deepEqual(
      [...at].sort((a, b) => a - b),
      at,
    )
    assert.match(r.body, /<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/)
    assert.match(
      r.body,
      /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">/,
    )
  })

  test('malformed JWT: InvalidIdentityToken', async () => {
    expectError(await assume('not-a-jwt-at-all'), 400, 'InvalidIdentityToken', INVALID)
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'token-form')
  })

  for (const alg of ['none', 'HS256', 'PS256'] as const)
    test(`alg ${alg} is refused: InvalidIdentityToken`, async () => {
      const key =
        alg === 'HS256' ? 'shared-secret' : alg === 'PS256' ? h.issuer.key.privateKey : undefined
      const t = rawJwt({ alg, kid: h.issuer.key.kid }, claims(h), key)
      expectError(await assume(t), 400, 'InvalidIdentityToken', INVALID)
      assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'algorithm')
    })

  /** A token from `iss`, signed with the issuer's key, gets STS's no-provider answer. */
  async function expectNoProvider(iss: string): Promise<void> {
    const t = rawJwt(
      { alg: 'RS256', kid: h.issuer.key.kid },
      claims(h, { iss }),
      h.issuer.key.privateKey,
    )
    expectError(
      await assume(t),
      400,
      'InvalidIdentityToken',
      `No OpenIDConnect provider found in your account for ${iss}`,
    )
  }

  test('unknown provider: the issuer echoed', async () => {
    await expectNoProvider(`${h.issuer.server.origin}/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF`)
  })

  test('an http:// issuer has no provider, though the https:// one exists', async () => {
    await expectNoProvider(h.issuer.url.replace(/^https:/, 'http:'))
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'provider')
  })

  test('unknown kid: InvalidIdentityToken, verification key', async () => {
    const t = rawJwt({ alg: 'RS256', kid: 'no-such-kid' }, claims(h), h.issuer.key.privateKey)
    expectError(
      await assume(t),
      400,
      'InvalidIdentityToken',
      "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    )
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'kid')
  })

  test('bad signature: InvalidIdentityToken', async () => {
    const [a, b, s = ''] = h.token().split('.')
    const mid = Math.floor(s.length / 2)
    const flipped = s.slice(0, mid) + (s[mid] === 'A' ? 'B' : 'A') + s.slice(mid + 1)
    expectError(await assume(`${a}.${b}.${flipped}`), 400, 'InvalidIdentityToken', INVALID)
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'signature')
  })

  test('expired beyond the 5-minute skew: ExpiredTokenException with both times', async () => {
    const now = Math.floor(h.clock.now() / 1000)
    const t = rawJwt(
      { alg: 'RS256', kid: h.issuer.key.kid },
      claims(h, { exp: now - 301, iat: now - 4000, nbf: now - 4000 }),
      h.issuer.key.privateKey,
    )
    expectError(
      await assume(t),
      400,
      'ExpiredTokenException',
      `Token expired: current date/time ${now} must be before the expiration date/time ${now - 301}`,
    )
  })

  test('expired within the 5-minute skew is still accepted', async () => {
    const now = Math.floor(h.clock.now() / 1000)
    const t = rawJwt(
      { alg: 'RS256', kid: h.issuer.key.kid },
      claims(h, { exp: now - 299, iat: now - 4000, nbf: now - 4000 }),
      h.issuer.key.privateKey,
    )
    assert.equal((await assume(t)).status, 200)
  })

  test('nbf in the future (beyond the skew): InvalidIdentityToken', async () => {
    const now = Math.floor(h.clock.now() / 1000)
    const t = rawJwt(
      { alg: 'RS256', kid: h.issuer.key.kid },
      claims(h, { nbf: now + 301 }),
      h.issuer.key.privateKey,
    )
    expectError(await assume(t), 400, 'InvalidIdentityToken', INVALID)
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'nbf')
  })

  test('wrong audience: Incorrect token audience', async () => {
    expectError(
      await assume(h.token({ audiences: ['not-sts'] })),
      400,
      'InvalidIdentityToken',
      'Incorrect token audience',
    )
  })

  test('wrong subject: AccessDenied from the trust policy', async () => {
    expectError(await assume(h.token({ name: 'other' })), 403, 'AccessDenied', DENIED)
    const d = lastDecision(h)
    assert.equal(d['decision'], 'implicitDeny')
    const reasons = d['reasons'] as Record<string, unknown>
    assert.equal(reasons['check'], 'trust-policy')
    assert.match(JSON.stringify(reasons['statements']), /:sub/)
  })

  test('wrong Federated ARN in the trust policy: AccessDenied', async () => {
    const other = `arn:aws:iam::${ACCOUNT}:oidc-provider/example.com/id/X`
    const arn = h.role('wrong-federated', irsaTrust(other, h.issuer.hostPath))
    const r = await h.assume({ RoleArn: arn, RoleSessionName: name(), WebIdentityToken: h.token() })
    expectError(r, 403, 'AccessDenied', DENIED)
  })

  test('missing role: AccessDenied, as AWS answers', async () => {
    const r = await h.assume({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/nope`,
      RoleSessionName: name(),
      WebIdentityToken: h.token(),
    })
    expectError(r, 403, 'AccessDenied', DENIED)
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'role')
  })

  test('token over 20,000 characters: ValidationError, the value never echoed', async () => {
    const r = await assume('x'.repeat(20001))
    expectError(
      r,
      400,
      'ValidationError',
      "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
    )
  })

  test('the 20,000-character limit applies to the token as sent, white space included', async () => {
    const token = h.token()
    const padded = `${' '.repeat(20001 - token.length)}${token}`
    expectError(
      await assume(padded),
      400,
      'ValidationError',
      "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
    )
    assert.equal((await assume(`\r\n\t ${token} \t\r\n`)).status, 200)
  })

  for (const [name, space] of [
    ['NBSP', '\u00a0'],
    ['U+3000', '\u3000'],
    ['a BOM', '\ufeff'],
    ['U+2028', '\u2028'],
  ] as const)
    test(`${name} around the token is part of it: InvalidIdentityToken`, async () => {
      expectError(
        await assume(`${space}${h.token()}${space}`),
        400,
        'InvalidIdentityToken',
        INVALID,
      )
      assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'token-form')
    })

  test('bad session name: ValidationError with the pattern', async () => {
    const r = await h.assume({
      RoleArn: roleArn,
      RoleSessionName: 'bad name!',
      WebIdentityToken: h.token(),
    })
    expectError(
      r,
      400,
      'ValidationError',
      "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    )
  })

  test('DurationSeconds above MaxSessionDuration: ValidationError', async () => {
    expectError(
      await assume(h.token(), { DurationSeconds: '7200' }),
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    )
  })

  test('DurationSeconds up to MaxSessionDuration sets the expiry', async () => {
    const arn = h.role('long', undefined, 43200)
    const r = await h.assume({
      RoleArn: arn,
      RoleSessionName: name(),
      WebIdentityToken: h.token(),
      DurationSeconds: '43200',
    })
    assert.equal(r.status, 200, r.body)
    const c = r.result['Credentials'] as Record<string, number>
    assert.equal(c['Expiration'], Math.floor(h.clock.now() / 1000) + 43200)
  })

  test('DurationSeconds below 900: ValidationError', async () => {
    expectError(
      await assume(h.token(), { DurationSeconds: '100' }),
      400,
      'ValidationError',
      "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    )
  })

  test('a bad RoleArn: ValidationError Request ARN is invalid', async () => {
    const r = await h.assume({
      RoleArn: 'arn:aws:iam::123:user/not-a-role',
      RoleSessionName: name(),
      WebIdentityToken: h.token(),
    })
    expectError(r, 400, 'ValidationError', 'Request ARN is invalid')
  })

  test('a session policy: MalformedPolicyDocument when invalid, PackedPolicySize when valid', async () => {
    expectError(
      await assume(h.token(), { Policy: '{"Statement":[]' }),
      400,
      'MalformedPolicyDocument',
      'The request was rejected because the policy document was malformed.',
    )
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    })
    const r = await assume(h.token(), { Policy: policy })
    assert.equal(r.status, 200, r.body)
    assert.equal(r.result['PackedPolicySize'], Math.ceil((100 * policy.length) / 2048))
  })

  test('session policy and ARNs over 2048 characters: PackedPolicyTooLarge', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(1900)}` },
      ],
    })
    const arns: Record<string, string> = {}
    for (let i = 1; i <= 3; i++)
      arns[`PolicyArns.member.${i}.arn`] = `arn:aws:iam::${ACCOUNT}:policy/p${'x'.repeat(60)}${i}`
    expectError(
      await assume(h.token(), { Policy: policy, ...arns }),
      400,
      'PackedPolicyTooLarge',
      'The request was rejected because the total packed size of the session policies and session tags combined was too large.',
    )
  })

  test('issuer unreachable (a listener that never answers): IDPCommunicationError within the timeout', async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((s) => sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as { port: number }).port
    const hostPath = `127.0.0.1:${port}/id/ABCDEF`
    const provider = h.store.oidcProviders.create({
      accountId: ACCOUNT,
      url: hostPath,
      clientIds: ['sts.amazonaws.com'],
    })
    const arn = h.role('unreachable', irsaTrust(provider.arn, hostPath))
    const t = rawJwt(
      { alg: 'RS256', kid: h.issuer.key.kid },
      claims(h, { iss: `https://${hostPath}` }),
      h.issuer.key.privateKey,
    )
    const started = performance.now()
    const r = await h.assume({ RoleArn: arn, RoleSessionName: name(), WebIdentityToken: t })
    const took = performance.now() - started
    for (const s of sockets) s.destroy()
    await new Promise((r2) => silent.close(r2))
    expectError(
      r,
      400,
      'IDPCommunicationError',
      "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    )
    assert.ok(took < 2000, `answered in ${took} ms`)
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'jwks')
  })

  test('session tags need sts:TagSession; with it they become the session’s tags', async () => {
    const tagged = {
      'https://aws.amazon.com/tags': {
        principal_tags: { team: ['blue'] },
        transitive_tag_keys: [],
      },
    }
    const t = () =>
      rawJwt({ alg: 'RS256', kid: h.issuer.key.kid }, claims(h, tagged), h.issuer.key.privateKey)
    expectError(await assume(t()), 403, 'AccessDenied', 'Not authorized to perform sts:TagSession')
    const arn = h.role('tags', irsaTrust(h.providerArn, h.issuer.hostPath, SA, ['sts:TagSession']))
    const r = await h.assume({ RoleArn: arn, RoleSessionName: name(), WebIdentityToken: t() })
    assert.equal(r.status, 200, r.body)
    const token = (r.result['Credentials'] as Record<string, string>)['SessionToken'] ?? ''
    assert.deepEqual(h.sessions.open(token)?.principal.sessionTags, [
      { key: 'team', value: 'blue' },
    ])
  })

  test('a source identity claim needs sts:SetSourceIdentity and is returned', async () => {
    const src = { 'https://aws.amazon.com/source_identity': 'alice' }
    const t = () =>
      rawJwt({ alg: 'RS256', kid: h.issuer.key.kid }, claims(h, src), h.issuer.key.privateKey)
    expectError(
      await assume(t()),
      403,
      'AccessDenied',
      'Not authorized to perform sts:SetSourceIdentity',
    )
    const arn = h.role(
      'source',
      irsaTrust(h.providerArn, h.issuer.hostPath, SA, ['sts:SetSourceIdentity']),
    )
    const r = await h.assume({ RoleArn: arn, RoleSessionName: name(), WebIdentityToken: t() })
    assert.equal(r.status, 200, r.body)
    assert.equal(r.result['SourceIdentity'], 'alice')
  })

  test('GET with a query string and Accept: application/json (Envoy, Kong)', async () => {
    const q = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn,
      RoleSessionName: name(),
      WebIdentityToken: h.token(),
    })
    const resp = await h.app.handle({
      method: 'GET',
      url: `/?${q.toString()}`,
      headers: { host: ['127.0.0.1'], accept: ['application/json'] },
      body: new Uint8Array(),
    })
    assert.equal(resp.status, 200, resp.body)
    const json = JSON.parse(resp.body) as Record<
      string,
      Record<string, Record<string, Record<string, unknown>>>
    >
    const exp =
      json['AssumeRoleWithWebIdentityResponse']?.['AssumeRoleWithWebIdentityResult']?.[
        'Credentials'
      ]?.['Expiration']
    assert.equal(typeof exp, 'number')
  })
})

describe('the issuer’s certificate: trusted CA, else the provider’s thumbprints', () => {
  let h: Harness
  let roleArn: string
  before(async () => {
    h = await harness({ selfSigned: true, thumbprints: ['0'.repeat(40)] })
    roleArn = h.role('app')
  })
  after(async () => {
    await h.close()
  })

  test('a self-signed issuer and a wrong thumbprint: InvalidIdentityToken thumbprint mismatch', async () => {
    const r = await h.assume({
      RoleArn: roleArn,
      RoleSessionName: 'tp1',
      WebIdentityToken: h.token(),
    })
    expectError(
      r,
      400,
      'InvalidIdentityToken',
      "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    )
    assert.equal((lastDecision(h)['reasons'] as Record<string, unknown>)['check'], 'thumbprint')
  })

  test('the right thumbprint (the last certificate sent) lets it through', async () => {
    const chain = await readSentChain(endpointOf(new URL(h.issuer.url)), 2000)
    const last = chain[chain.length - 1]
    assert.ok(last !== undefined)
    h.store.oidcProviders.setThumbprints(h.providerArn, [sha1Thumbprint(last)])
    const r = await h.assume({
      RoleArn: roleArn,
      RoleSessionName: 'tp2',
      WebIdentityToken: h.token(),
    })
    assert.equal(r.status, 200, r.body)
  })
})

describe('a token presented again', () => {
  let h: Harness
  let roleArn: string
  before(async () => {
    h = await harness()
    roleArn = h.role('app')
  })
  after(async () => {
    await h.close()
  })

  test('is judged on time again: the same token later expires', async () => {
    const token = h.token({ seconds: 3600 })
    const first = await h.assume({
      RoleArn: roleArn,
      RoleSessionName: 'again1',
      WebIdentityToken: token,
    })
    assert.equal(first.status, 200, first.body)
    h.clock.advance((3600 + 301) * 1000)
    const later = await h.assume({
      RoleArn: roleArn,
      RoleSessionName: 'again2',
      WebIdentityToken: token,
    })
    h.clock.advance(-(3600 + 301) * 1000)
    assert.equal(later.status, 400)
    assert.equal(later.code, 'ExpiredTokenException')
  })

  test('is checked against the trust policy again, which applies at once after a change', async () => {
    const token = h.token()
    assert.equal(
      (await h.assume({ RoleArn: roleArn, RoleSessionName: 'again3', WebIdentityToken: token }))
        .status,
      200,
    )
    h.store.roles.updateAssumeRolePolicy(
      ACCOUNT,
      'app',
      irsaTrust(h.providerArn, h.issuer.hostPath, 'system:serviceaccount:other:x'),
    )
    const r = await h.assume({
      RoleArn: roleArn,
      RoleSessionName: 'again4',
      WebIdentityToken: token,
    })
    assert.equal(r.code, 'AccessDenied')
  })
})
