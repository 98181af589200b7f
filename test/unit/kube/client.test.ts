import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createKubeClient, isKubeError, staticCredentials } from '../../../src/kube/index.js'
import { startFakeApiServer } from './fake-api-server.js'

async function setup(t: { after: (fn: () => unknown) => void }, prefix = '') {
  const fake = await startFakeApiServer()
  const client = createKubeClient({
    server: fake.origin + prefix,
    insecureSkipTlsVerify: false,
    credentials: staticCredentials({ token: 't' }),
    source: 'test',
  })
  t.after(async () => {
    client.close()
    await fake.close()
  })
  return { fake, client }
}

test('get answers every status with the parsed body; a path prefix of the server is kept', async (t) => {
  const { fake, client } = await setup(t, '/k8s/clusters/c-1')
  const r = await client.get('/api/v1/namespaces/a/serviceaccounts/b')
  assert.equal(r.status, 404)
  assert.equal(
    fake.requests.at(-1)?.path,
    '/k8s/clusters/c-1/api/v1/namespaces/a/serviceaccounts/b',
  )
  const plain = await setup(t)
  plain.fake.add('a', 'b')
  const ok = await plain.client.get('/api/v1/namespaces/a/serviceaccounts/b')
  assert.equal(ok.status, 200)
  assert.equal((ok.body as { metadata: { name: string } }).metadata.name, 'b')
})

test('get rejects with ERR_KUBE_API when no answer comes in time', async (t) => {
  const { fake, client } = await setup(t)
  fake.addHidden('a', 'b')
  const held = fake.holdGets()
  await assert.rejects(
    client.get('/api/v1/namespaces/a/serviceaccounts/b', { timeoutMs: 30 }),
    (e) => isKubeError(e, 0) && /no answer within 30 ms/.test(e.message),
  )
  held.release()
})

test('watch: an error status rejects with it; an idle stream rejects; an abort resolves', async (t) => {
  const { fake, client } = await setup(t)
  const path = '/api/v1/serviceaccounts?watch=1&resourceVersion=0'
  fake.failWatches(503)
  await assert.rejects(
    client.watch(path, () => undefined, { signal: new AbortController().signal }),
    (e) => isKubeError(e, 503) && /watch failed on purpose/.test(e.message),
  )
  fake.failWatches(undefined)
  await assert.rejects(
    client.watch(path, () => undefined, {
      signal: new AbortController().signal,
      idleTimeoutMs: 30,
    }),
    (e) => isKubeError(e) && /idle for 30 ms/.test(e.message),
  )
  const ac = new AbortController()
  const events: string[] = []
  const watching = client.watch(
    path,
    (e) => {
      events.push(e.type)
      ac.abort()
    },
    { signal: ac.signal },
  )
  fake.add('a', 'b')
  await watching
  assert.deepEqual(events, ['ADDED'])
})

test('watch: a handler that throws ends the watch with its error', async (t) => {
  const { fake, client } = await setup(t)
  fake.add('a', 'b')
  await assert.rejects(
    client.watch(
      '/api/v1/serviceaccounts?watch=1&resourceVersion=0',
      () => {
        throw new Error('stop here')
      },
      { signal: new AbortController().signal },
    ),
    /stop here/,
  )
})
