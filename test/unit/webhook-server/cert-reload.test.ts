import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isIrsaError, silentLogger, systemClock } from '../../../src/core/index.js'
import {
  createMutationConfig,
  createWebhookApp,
  startWebhookServer,
  staticServiceAccountSource,
  watchCertificateFiles,
} from '../../../src/webhook/index.js'
import { deferred, send, tlsFixture } from './helpers.js'

function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256
}

function app(): ReturnType<typeof createWebhookApp> {
  return createWebhookApp({
    config: createMutationConfig(),
    serviceAccounts: staticServiceAccountSource([]),
    clock: systemClock,
    logger: silentLogger(),
  })
}

/** Replaces a file atomically (write a sibling, rename over), as a Secret volume update does. */
function replace(file: string, text: string): void {
  const tmp = join(file + '.tmp')
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}

test('replacing the certificate files: the next TLS handshake presents the new certificate, no restart', async (t) => {
  const tls = tlsFixture()
  let reloaded = deferred<undefined>()
  const server = await startWebhookServer({
    app: app(),
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: tls.certFile, keyFile: tls.keyFile },
    certificatePollIntervalMs: 100,
    onCertificateReload: () => {
      reloaded.resolve(undefined)
    },
  })
  t.after(async () => {
    await server.close()
    tls.cleanup()
  })
  const before = await send(server.origin, { ca: tls.ca.certPem, method: 'GET', path: '/healthz' })
  assert.equal(before.fingerprint, fingerprint(tls.pair.certPem))

  const next = tls.issue()
  replace(tls.keyFile, next.keyPem)
  replace(tls.certFile, next.certPem)
  await reloaded.promise
  const after = await send(server.origin, { ca: tls.ca.certPem, method: 'GET', path: '/healthz' })
  assert.equal(after.status, 200)
  assert.equal(after.fingerprint, fingerprint(next.certPem))
  assert.notEqual(after.fingerprint, before.fingerprint)

  // A second rotation works the same way.
  reloaded = deferred<undefined>()
  const third = tls.issue()
  replace(tls.keyFile, third.keyPem)
  replace(tls.certFile, third.certPem)
  await reloaded.promise
  const last = await send(server.origin, { ca: tls.ca.certPem, method: 'GET', path: '/healthz' })
  assert.equal(last.fingerprint, fingerprint(third.certPem))
})

test('a half-replaced pair (new certificate, old key) is not loaded; it is once the key follows', async () => {
  const tls = tlsFixture()
  try {
    const changes: string[] = []
    const errors: string[] = []
    const watcher = watchCertificateFiles({
      files: { certFile: tls.certFile, keyFile: tls.keyFile },
      current: { cert: tls.pair.certPem, key: tls.pair.keyPem },
      pollIntervalMs: 3_600_000,
      onChange: (pem) => changes.push(fingerprint(pem.cert)),
      onError: (m) => errors.push(m),
    })
    try {
      assert.equal(await watcher.check(), false, 'nothing changed yet')
      const next = tls.issue()
      replace(tls.certFile, next.certPem)
      assert.equal(await watcher.check(), false)
      assert.deepEqual(changes, [])
      assert.equal(errors.length, 1)
      assert.match(errors[0] ?? '', /does not match/)
      assert.doesNotMatch(errors[0] ?? '', /PRIVATE KEY/)
      replace(tls.keyFile, next.keyPem)
      assert.equal(await watcher.check(), true)
      assert.deepEqual(changes, [fingerprint(next.certPem)])
      assert.equal(await watcher.check(), false, 'the same files are not reported twice')
    } finally {
      watcher.close()
    }
  } finally {
    tls.cleanup()
  }
})

test('startWebhookServer refuses unreadable or mismatched TLS files with ERR_WEBHOOK_TLS', async () => {
  const tls = tlsFixture()
  try {
    const other = tls.issue()
    await assert.rejects(
      startWebhookServer({
        app: app(),
        host: '127.0.0.1',
        port: 0,
        tls: { certFile: join(tls.dir, 'missing.crt'), keyFile: tls.keyFile },
      }),
      (e) =>
        isIrsaError(e) && e.code === 'ERR_WEBHOOK_TLS' && /missing\.crt.*ENOENT/.test(e.message),
    )
    await assert.rejects(
      startWebhookServer({
        app: app(),
        host: '127.0.0.1',
        port: 0,
        tls: { cert: tls.pair.certPem, key: other.keyPem },
      }),
      (e) => isIrsaError(e) && e.code === 'ERR_WEBHOOK_TLS' && /does not match/.test(e.message),
    )
  } finally {
    tls.cleanup()
  }
})
