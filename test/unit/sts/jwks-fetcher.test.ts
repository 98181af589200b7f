import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import {
  createCertificateAuthority,
  issueServerCertificate,
  manualClock,
  systemClock,
  type CertificateAuthority,
} from '../../../src/core/index.js'
import { toPublicJwk } from '../../../src/oidc/index.js'
import { createJwksFetcher, JwksFetchError, maxAgeOf } from '../../../src/sts/index.js'
import { rsaKey } from './harness.js'

/** A counting issuer: discovery and a key set whose kids and Cache-Control can change. */
interface FakeIssuer {
  url: string
  hits: number
  kids: string[]
  cacheControl: string | undefined
  /** When false the server answers 503. */
  up: boolean
  close(): Promise<void>
}

async function fakeIssuer(secure: boolean, ca?: CertificateAuthority): Promise<FakeIssuer> {
  const state: FakeIssuer = {
    url: '',
    hits: 0,
    kids: ['k1'],
    cacheControl: 'public, max-age=600',
    up: true,
    close: () =>
      new Promise((r) =>
        server.close(() => {
          r()
        }),
      ),
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    state.hits++
    if (!state.up) {
      res.writeHead(503).end()
      return
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (path === '/id/X/.well-known/openid-configuration') {
      res
        .writeHead(200, headers)
        .end(JSON.stringify({ issuer: state.url, jwks_uri: `${state.url}/keys` }))
      return
    }
    if (path === '/id/X/keys') {
      if (state.cacheControl !== undefined) headers['cache-control'] = state.cacheControl
      res
        .writeHead(200, headers)
        .end(JSON.stringify({ keys: state.kids.map((kid) => toPublicJwk(rsaKey(), kid)) }))
      return
    }
    res.writeHead(404).end()
  }
  let server: Server | ReturnType<typeof createHttpServer>
  if (secure && ca !== undefined) {
    const tls = issueServerCertificate(ca, { clock: systemClock, ipAddresses: ['127.0.0.1'] })
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, handler)
  } else server = createHttpServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  state.url = `${secure ? 'https' : 'http'}://127.0.0.1:${port}/id/X`
  return state
}

describe('JWKS fetcher', () => {
  let ca: CertificateAuthority
  let issuer: FakeIssuer
  before(async () => {
    ca = createCertificateAuthority({ clock: systemClock, commonName: 'jwks test CA' })
    issuer = await fakeIssuer(true, ca)
  })
  after(async () => {
    await issuer.close()
  })

  const fetcher = (
    clock = manualClock(1_000_000),
    o: { refetchIntervalSeconds?: number } = {},
  ) => ({
    clock,
    jwks: createJwksFetcher({ clock, trustedCaPems: [ca.certPem], timeoutMs: 2000, ...o }),
  })
  const ask = (kid = 'k1') => ({ issuer: issuer.url, thumbprints: [], kid })

  test('discovery then jwks_uri; cached for Cache-Control max-age, then fetched again', async () => {
    issuer.hits = 0
    issuer.cacheControl = 'public, max-age=600'
    const { clock, jwks } = fetcher()
    const keys = await jwks.keys(ask())
    assert.deepEqual(
      keys.keys.map((k) => k.kid),
      ['k1'],
    )
    assert.equal(issuer.hits, 2)
    clock.advance(599_000)
    await jwks.keys(ask())
    assert.equal(issuer.hits, 2, 'served from the cache')
    clock.advance(1000)
    await jwks.keys(ask())
    assert.equal(issuer.hits, 4, 'fetched again once max-age passed')
  })

  test('concurrent first requests share one fetch', async () => {
    issuer.hits = 0
    const { jwks } = fetcher()
    await Promise.all([jwks.keys(ask()), jwks.keys(ask()), jwks.keys(ask())])
    assert.equal(issuer.hits, 2)
  })

  test('an unknown kid re-fetches at most once per interval', async () => {
    issuer.hits = 0
    issuer.kids = ['k1']
    const { clock, jwks } = fetcher(manualClock(1_000_000), { refetchIntervalSeconds: 30 })
    await jwks.keys(ask())
    issuer.kids = ['k1', 'k2']
    clock.advance(30_000)
    const k = await jwks.keys(ask('k2'))
    assert.ok(k.withKid('k2').length === 1, 'the new key is found after a re-fetch')
    assert.equal(issuer.hits, 4)
    await jwks.keys(ask('k3'))
    await jwks.keys(ask('k4'))
    assert.equal(issuer.hits, 4, 'unknown kids within the interval do not re-fetch')
    clock.advance(30_000)
    await jwks.keys(ask('k3'))
    assert.equal(issuer.hits, 6)
    issuer.kids = ['k1']
  })

  test('when a re-fetch fails, cached keys keep working; with nothing cached it throws', async () => {
    issuer.cacheControl = 'max-age=60'
    const { clock, jwks } = fetcher()
    await jwks.keys(ask())
    issuer.up = false
    try {
      clock.advance(120_000)
      const keys = await jwks.keys(ask())
      assert.deepEqual(
        keys.keys.map((k) => k.kid),
        ['k1'],
      )
      const fresh = fetcher().jwks
      await assert.rejects(
        fresh.keys(ask()),
        (e: unknown) => e instanceof JwksFetchError && e.failure === 'unreachable',
      )
    } finally {
      issuer.up = true
      issuer.cacheControl = 'public, max-age=600'
    }
  })

  test('Cache-Control: no max-age means an hour; max-age is clamped to at least 10 s', async () => {
    issuer.hits = 0
    issuer.cacheControl = undefined
    const { clock, jwks } = fetcher()
    await jwks.keys(ask())
    clock.advance(3599_000)
    await jwks.keys(ask())
    assert.equal(issuer.hits, 2)
    clock.advance(1000)
    await jwks.keys(ask())
    assert.equal(issuer.hits, 4)
    issuer.cacheControl = 'no-store'
    const again = fetcher()
    await again.jwks.keys(ask())
    again.clock.advance(9_000)
    await again.jwks.keys(ask())
    assert.equal(issuer.hits, 6, 'no-store is kept for the 10 s minimum')
    issuer.cacheControl = 'public, max-age=600'
  })

  test('an untrusted certificate with no matching thumbprint is refused as untrusted', async () => {
    const clock = manualClock(0)
    const jwks = createJwksFetcher({ clock, timeoutMs: 2000 })
    await assert.rejects(
      jwks.keys({ issuer: issuer.url, thumbprints: ['ab'.repeat(20)], kid: 'k1' }),
      (e: unknown) => e instanceof JwksFetchError && e.failure === 'untrusted',
    )
  })

  test('plain http only for issuers explicitly allowed', async () => {
    const plain = await fakeIssuer(false)
    try {
      const clock = manualClock(0)
      const refused = createJwksFetcher({ clock })
      await assert.rejects(
        refused.keys({ issuer: plain.url, thumbprints: [], kid: 'k1' }),
        (e: unknown) => e instanceof JwksFetchError && e.failure === 'invalid',
      )
      assert.equal(plain.hits, 0, 'nothing was fetched')
      const allowed = createJwksFetcher({ clock, allowInsecureIssuers: [plain.url] })
      const keys = await allowed.keys({ issuer: plain.url, thumbprints: [], kid: 'k1' })
      assert.equal(keys.keys.length, 1)
    } finally {
      await plain.close()
    }
  })

  test('maxAgeOf reads Cache-Control', () => {
    assert.equal(maxAgeOf(undefined), undefined)
    assert.equal(maxAgeOf('public, max-age=3600'), 3600)
    assert.equal(maxAgeOf('Max-Age="60", public'), 60)
    assert.equal(maxAgeOf('no-store'), 0)
    assert.equal(maxAgeOf('private, no-cache'), 0)
    assert.equal(maxAgeOf('public'), undefined)
  })
})
