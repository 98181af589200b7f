/**
 * The Kubernetes API's answers to bad input, in process over node:http: kube-apiserver's
 * Status for a malformed body, an unknown resource, a stale resourceVersion, an unknown
 * patch type, an oversized body, a body of another kind; and a conflict-free update.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLogger } from '../../../src/core/index.js'
import { localMutationConfig } from '../../../src/local/index.js'
import {
  createKubeApiApp,
  KubeRegistry,
  MAX_REQUEST_BODY_BYTES,
  WatchHub,
} from '../../../src/kubeapi/index.js'
import { localFixture } from '../local/helpers.js'

interface Reply {
  readonly status: number
  readonly body: Record<string, unknown>
}

async function api(
  t: TestContext,
): Promise<(method: string, path: string, body?: string, type?: string) => Promise<Reply>> {
  const f = localFixture(t)
  const hub = new WatchHub(f.store, f.cluster.arn)
  const registry = new KubeRegistry({
    store: f.store,
    clusterArn: f.cluster.arn,
    clock: f.clock,
    caPem: 'CA',
    mutation: () => localMutationConfig(f.store.settings),
    onChange: (e) => {
      hub.publish(e)
    },
  })
  registry.bootstrap()
  const app = createKubeApiApp({
    registry,
    hub,
    clock: f.clock,
    logger: createLogger({ level: 'silent' }),
    authenticate: () => ({ username: 'kubernetes-admin', groups: ['system:masters'] }),
    issueToken: () => ({ token: 'not-a-real-token', expiresAtMs: 0 }),
    serverAddress: '127.0.0.1:0',
  })
  const server = createServer((req, res) => {
    app(req, res, new URL(req.url ?? '/', 'http://x').pathname)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  const port = (server.address() as AddressInfo).port
  return (method, path, body, type = 'application/json') =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method, path, headers: { 'content-type': type } },
        (res) => {
          let text = ''
          res.on('data', (d: Buffer) => (text += d.toString()))
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(text) as Record<string, unknown>,
            })
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
}

const SA = (name: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, ...extra } })

test('bad input gets kube-apiserver’s Status, never a crash', async (t) => {
  const call = await api(t)
  const malformed = await call('POST', '/api/v1/namespaces/default/serviceaccounts', '{"kind": ')
  assert.equal(malformed.status, 400)
  assert.equal(malformed.body['reason'], 'BadRequest')
  assert.equal(malformed.body['kind'], 'Status')

  const unknown = await call('GET', '/api/v1/namespaces/default/widgets')
  assert.equal(unknown.status, 404)
  assert.equal(unknown.body['message'], 'the server could not find the requested resource')

  const wrongKind = await call(
    'POST',
    '/api/v1/namespaces/default/serviceaccounts',
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }),
  )
  assert.equal(wrongKind.status, 400)

  const missingNs = await call('POST', '/api/v1/namespaces/nowhere/serviceaccounts', SA('app'))
  assert.equal(missingNs.status, 404)
  assert.equal(missingNs.body['message'], 'namespaces "nowhere" not found')

  const badName = await call('POST', '/api/v1/namespaces/default/serviceaccounts', SA('Bad_Name'))
  assert.equal(badName.status, 422)
  assert.equal(badName.body['reason'], 'Invalid')
  const details = badName.body['details'] as { causes: { field: string }[] }
  assert.equal(details.causes[0]?.field, 'metadata.name')

  const huge = await call(
    'POST',
    '/api/v1/namespaces/default/configmaps',
    'x'.repeat(MAX_REQUEST_BODY_BYTES + 1),
  )
  assert.equal(huge.status, 413)
  assert.equal(
    huge.body['message'],
    `Request entity too large: limit is ${String(MAX_REQUEST_BODY_BYTES)}`,
  )
})

test('create, then a second create is AlreadyExists; an update at a stale resourceVersion is Conflict', async (t) => {
  const call = await api(t)
  const created = await call('POST', '/api/v1/namespaces/default/serviceaccounts', SA('app'))
  assert.equal(created.status, 201)
  const rv = (created.body['metadata'] as { resourceVersion: string }).resourceVersion
  const again = await call('POST', '/api/v1/namespaces/default/serviceaccounts', SA('app'))
  assert.equal(again.status, 409)
  assert.equal(again.body['reason'], 'AlreadyExists')
  assert.equal(again.body['message'], 'serviceaccounts "app" already exists')

  const path = '/api/v1/namespaces/default/serviceaccounts/app'
  const updated = await call('PUT', path, SA('app', { resourceVersion: rv, labels: { a: 'b' } }))
  assert.equal(updated.status, 200)
  const stale = await call('PUT', path, SA('app', { resourceVersion: rv, labels: { a: 'c' } }))
  assert.equal(stale.status, 409)
  assert.equal(stale.body['reason'], 'Conflict')
  assert.equal(
    stale.body['message'],
    'Operation cannot be fulfilled on serviceaccounts "app": the object has been modified; please apply your changes to the latest version and try again',
  )

  const badPatch = await call('PATCH', path, '{}', 'application/x-unknown')
  assert.equal(badPatch.status, 415)
  assert.equal(badPatch.body['reason'], 'UnsupportedMediaType')
  const merge = await call(
    'PATCH',
    path,
    '{"metadata":{"labels":{"a":null,"z":"1"}}}',
    'application/merge-patch+json',
  )
  assert.deepEqual((merge.body['metadata'] as { labels: unknown }).labels, { z: '1' })

  const deleted = await call('DELETE', path)
  assert.equal(deleted.body['status'], 'Success')
  const gone = await call('GET', path)
  assert.equal(gone.status, 404)
  assert.equal(gone.body['message'], 'serviceaccounts "app" not found')
})
