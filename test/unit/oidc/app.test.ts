import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { silentLogger } from '../../../src/core/index.js'
import {
  buildDiscovery,
  buildJwks,
  createIssuerApp,
  IssuerConflictError,
  type IssuerApp,
} from '../../../src/oidc/index.js'
import { describePublicKey } from '../../../src/token/index.js'

const rsa = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
const ec = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)

interface Reply {
  status: number
  headers: Record<string, string>
  body: Buffer | undefined
}

/** Drives the handler with a stand-in request and response: no socket. */
function call(
  app: IssuerApp,
  method: string,
  url: string,
  headers: Record<string, string> = {},
): Reply {
  const reply: Reply = { status: 0, headers: {}, body: undefined }
  const req = { method, url, headers } as unknown as IncomingMessage
  const res = {
    writeHead(status: number, h: Record<string, string>) {
      reply.status = status
      reply.headers = h
      return res
    },
    end(body?: Buffer) {
      reply.body = body
    },
  } as unknown as ServerResponse
  app(req, res)
  return reply
}

const json = (r: Reply): unknown => JSON.parse(r.body!.toString('utf8'))

test('discovery and JWKS with their content types, Cache-Control and length', () => {
  const issuer = 'https://oidc.local:8443/id/ABC'
  const app = createIssuerApp({ issuers: [{ issuer, keys: [rsa, ec] }], logger: silentLogger() })
  const d = call(app, 'GET', '/id/ABC/.well-known/openid-configuration')
  assert.equal(d.status, 200)
  assert.equal(d.headers['Content-Type'], 'application/json')
  assert.equal(d.headers['Cache-Control'], 'public, max-age=3600')
  assert.equal(d.headers['Content-Length'], String(d.body!.length))
  assert.deepEqual(json(d), buildDiscovery({ issuer, keys: [rsa, ec] }))
  assert.equal((json(d) as { jwks_uri: string }).jwks_uri, `${issuer}/openid/v1/jwks`)

  const k = call(app, 'GET', '/id/ABC/openid/v1/jwks')
  assert.equal(k.status, 200)
  assert.equal(k.headers['Content-Type'], 'application/jwk-set+json')
  assert.equal(k.headers['Cache-Control'], 'public, max-age=3600')
  assert.deepEqual(json(k), buildJwks([rsa, ec]))
  // Served compact, as kube-apiserver does.
  assert.equal(k.body!.toString('utf8'), JSON.stringify(buildJwks([rsa, ec])))
})

test('HEAD answers the headers without a body; a query string is ignored', () => {
  const app = createIssuerApp({
    issuers: [{ issuer: 'https://i.local', keys: [rsa] }],
    logger: silentLogger(),
  })
  const get = call(app, 'GET', '/openid/v1/jwks')
  const head = call(app, 'HEAD', '/openid/v1/jwks')
  assert.equal(head.status, 200)
  assert.equal(head.body, undefined)
  assert.deepEqual(head.headers, get.headers)
  assert.deepEqual(call(app, 'GET', '/openid/v1/jwks?x=1').body, get.body)
})

test('a matching If-None-Match gets 304 with the validators', () => {
  const app = createIssuerApp({
    issuers: [{ issuer: 'https://i.local', keys: [rsa] }],
    logger: silentLogger(),
  })
  const first = call(app, 'GET', '/.well-known/openid-configuration')
  const etag = first.headers['ETag']!
  assert.match(etag, /^"[A-Za-z0-9_-]+"$/)
  const again = call(app, 'GET', '/.well-known/openid-configuration', { 'if-none-match': etag })
  assert.equal(again.status, 304)
  assert.equal(again.body, undefined)
  assert.equal(again.headers['Cache-Control'], 'public, max-age=3600')
  assert.equal(
    call(app, 'GET', '/.well-known/openid-configuration', { 'if-none-match': '"x"' }).status,
    200,
  )
})

test('unknown paths get 404 JSON; other methods 405 with Allow', () => {
  const app = createIssuerApp({
    issuers: [{ issuer: 'https://i.local/a', keys: [rsa] }],
    logger: silentLogger(),
  })
  for (const path of [
    '/',
    '/.well-known/openid-configuration',
    '/a/keys.json',
    '/a/openid/v1/jwks/',
  ]) {
    const r = call(app, 'GET', path)
    assert.equal(r.status, 404, path)
    assert.equal(r.headers['Content-Type'], 'application/json')
    assert.deepEqual(json(r), { error: 'not found' })
  }
  assert.equal(call(app, 'HEAD', '/nope').body, undefined)
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = call(app, method, '/a/openid/v1/jwks')
    assert.equal(r.status, 405, method)
    assert.equal(r.headers['Allow'], 'GET, HEAD')
    assert.deepEqual(json(r), { error: 'method not allowed' })
  }
})

test('several issuers share a server by path, each with its own keys and form', () => {
  const a = 'https://127.0.0.1:8443/id/AAAA'
  const b = 'https://127.0.0.1:8443/id/BBBB'
  const root = 'https://127.0.0.1:8443'
  const app = createIssuerApp({
    issuers: [
      { issuer: a, keys: [rsa] },
      { issuer: b, keys: [ec], form: 'self-hosted', legacyEmptyKid: true },
      { issuer: root, keys: [rsa, ec] },
    ],
    logger: silentLogger(),
  })
  assert.deepEqual(json(call(app, 'GET', '/id/AAAA/openid/v1/jwks')), buildJwks([rsa]))
  assert.deepEqual(
    json(call(app, 'GET', '/id/BBBB/keys.json')),
    buildJwks([ec], { legacyEmptyKid: true }),
  )
  assert.equal(call(app, 'GET', '/id/BBBB/openid/v1/jwks').status, 404)
  assert.deepEqual(
    json(call(app, 'GET', '/id/BBBB/.well-known/openid-configuration')),
    buildDiscovery({ issuer: b, keys: [ec], form: 'self-hosted' }),
  )
  assert.deepEqual(json(call(app, 'GET', '/openid/v1/jwks')), buildJwks([rsa, ec]))
  assert.equal(
    (json(call(app, 'GET', '/.well-known/openid-configuration')) as { issuer: string }).issuer,
    root,
  )
  assert.deepEqual(
    app
      .routes()
      .map((r) => r.path)
      .sort(),
    [
      '/.well-known/openid-configuration',
      '/id/AAAA/.well-known/openid-configuration',
      '/id/AAAA/openid/v1/jwks',
      '/id/BBBB/.well-known/openid-configuration',
      '/id/BBBB/keys.json',
      '/openid/v1/jwks',
    ],
  )
})

test('issuers are added, replaced (key rotation) and removed while serving', () => {
  const issuer = 'https://i.local/id/X'
  const app = createIssuerApp({ logger: silentLogger() })
  assert.equal(call(app, 'GET', '/id/X/openid/v1/jwks').status, 404)
  app.setIssuer({ issuer, keys: [rsa] })
  assert.deepEqual(json(call(app, 'GET', '/id/X/openid/v1/jwks')), buildJwks([rsa]))
  const etag = call(app, 'GET', '/id/X/openid/v1/jwks').headers['ETag']
  app.setIssuer({ issuer, keys: [rsa, ec] })
  const rotated = call(app, 'GET', '/id/X/openid/v1/jwks')
  assert.deepEqual(json(rotated), buildJwks([rsa, ec]))
  assert.notEqual(rotated.headers['ETag'], etag)
  // Switching to the self-hosted form moves the JWKS; the old path is gone.
  app.setIssuer({ issuer, keys: [ec], form: 'self-hosted' })
  assert.equal(call(app, 'GET', '/id/X/openid/v1/jwks').status, 404)
  assert.equal(call(app, 'GET', '/id/X/keys.json').status, 200)
  assert.equal(app.removeIssuer(issuer), true)
  assert.equal(app.removeIssuer(issuer), false)
  assert.equal(call(app, 'GET', '/id/X/.well-known/openid-configuration').status, 404)
  assert.deepEqual(app.routes(), [])
})

test('two issuers may not claim one path; a rejected issuer changes nothing', () => {
  const app = createIssuerApp({
    issuers: [{ issuer: 'https://a.local/id/X', keys: [rsa] }],
    logger: silentLogger(),
  })
  const before = app.routes()
  assert.throws(() => {
    app.setIssuer({ issuer: 'https://b.local/id/X', keys: [ec] })
  }, IssuerConflictError)
  assert.deepEqual(app.routes(), before)
  assert.deepEqual(json(call(app, 'GET', '/id/X/openid/v1/jwks')), buildJwks([rsa]))
})

test('a jwks_uri on another origin is advertised but not served here', () => {
  const app = createIssuerApp({
    issuers: [
      { issuer: 'https://i.local', keys: [rsa], jwksUri: 'https://bucket.s3.example/keys.json' },
    ],
    logger: silentLogger(),
  })
  assert.equal(
    (json(call(app, 'GET', '/.well-known/openid-configuration')) as { jwks_uri: string }).jwks_uri,
    'https://bucket.s3.example/keys.json',
  )
  assert.deepEqual(
    app.routes().map((r) => r.path),
    ['/.well-known/openid-configuration'],
  )
})

test('an invalid issuer is refused when set', () => {
  const app = createIssuerApp({ logger: silentLogger() })
  assert.throws(() => {
    app.setIssuer({ issuer: 'http://i.local', keys: [rsa] })
  }, /https/)
  assert.deepEqual(app.routes(), [])
})
