import { test } from 'node:test'
import { performance } from 'node:perf_hooks'
import assert from 'node:assert/strict'
import { manualClock, silentLogger } from '../../../src/core/index.js'
import {
  createKubeClient,
  createServiceAccountInformer,
  staticCredentials,
  type LookupOptions,
  type ServiceAccountInformer,
} from '../../../src/kube/index.js'
import type { ServiceAccountSource } from '../../../src/webhook/index.js'
import { startFakeApiServer, type FakeApiServer } from './fake-api-server.js'

const ROLE = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/app' }

interface Harness {
  informer: ServiceAccountInformer
  fake: FakeApiServer
  clock: ReturnType<typeof manualClock>
  sleeps: number[]
  /** Resolves once `pred` holds, re-checked after every informer change and every backoff. */
  until(pred: () => boolean, what: string): Promise<void>
}

async function harness(
  t: { after: (fn: () => unknown) => void },
  o: { lookup?: LookupOptions; pageSize?: number; seed?: (fake: FakeApiServer) => void } = {},
): Promise<Harness> {
  const fake = await startFakeApiServer()
  o.seed?.(fake)
  const clock = manualClock(1_700_000_000_000)
  const sleeps: number[] = []
  const waiters: { pred: () => boolean; resolve: () => void }[] = []
  const check = (): void => {
    for (const w of [...waiters]) {
      if (w.pred()) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  }
  const informer = createServiceAccountInformer({
    client: createKubeClient({
      server: fake.origin,
      insecureSkipTlsVerify: false,
      credentials: staticCredentials({ token: 'sa-token' }),
      source: 'test',
    }),
    annotationPrefix: 'eks.amazonaws.com',
    clock,
    logger: silentLogger(),
    backoff: { initialMs: 10, maxMs: 40 },
    ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
    // Lookups only where a test asks for them, so that polling `get` never starts one.
    lookup: o.lookup ?? { gracePeriodMs: 0 },
    onApplied: check,
    sleep: async (ms) => {
      sleeps.push(ms)
      check()
      await new Promise<void>((r) => setImmediate(r))
    },
  })
  fake.onActivity(check)
  t.after(async () => {
    await informer.stop()
    await fake.close()
  })
  const until = (pred: () => boolean, what: string): Promise<void> => {
    if (pred()) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for: ${what}`))
      }, 10_000)
      waiters.push({
        pred,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  }
  return { informer, fake, clock, sleeps, until }
}

function role(sa: unknown): string | undefined {
  return (sa as { metadata: { annotations: Record<string, string> } } | undefined)?.metadata
    .annotations['eks.amazonaws.com/role-arn']
}

test('lists every page, strips each ServiceAccount to what the webhook reads, then is ready', async (t) => {
  const h = await harness(t, {
    pageSize: 2,
    seed: (fake) => {
      fake.add('default', 'default')
      fake.add('shop', 'app', { ...ROLE, 'other.io/x': 'y', 'eks.amazonaws.com/audience': 'a' })
      fake.add('shop', 'worker')
      fake.add('kube-system', 'coredns')
      fake.add('ci', 'runner', ROLE)
    },
  })
  const source: ServiceAccountSource = h.informer
  assert.equal(source.ready(), false, 'not ready before the first list')
  h.informer.start()
  await h.informer.synced()
  assert.equal(source.ready(), true)
  assert.equal(h.informer.size(), 5)
  const lists = h.fake.requests.filter((r) => r.path.startsWith('/api/v1/serviceaccounts?limit='))
  assert.deepEqual(
    lists.map((r) => r.path),
    [
      '/api/v1/serviceaccounts?limit=2',
      '/api/v1/serviceaccounts?limit=2&continue=2',
      '/api/v1/serviceaccounts?limit=2&continue=4',
    ],
  )
  assert.ok(lists.every((r) => r.authorization === 'Bearer sa-token'))
  assert.deepEqual(source.get('shop', 'app'), {
    metadata: {
      name: 'app',
      namespace: 'shop',
      resourceVersion: '102',
      annotations: { ...ROLE, 'eks.amazonaws.com/audience': 'a' },
    },
  })
  assert.deepEqual(h.informer.get('shop', 'worker'), {
    metadata: { name: 'worker', namespace: 'shop', resourceVersion: '103', annotations: {} },
  })
  // The watch starts from the list's resourceVersion, with bookmarks.
  await h.until(() => h.fake.watchVersions.length === 1, 'the first watch')
  assert.deepEqual(h.fake.watchVersions, ['105'])
  const watch = h.fake.requests.find((r) => r.path.includes('watch=1'))
  assert.match(watch?.path ?? '', /allowWatchBookmarks=true/)
})

test('watch: add, update and delete reach the cache; bookmarks advance the resourceVersion', async (t) => {
  const h = await harness(t, { seed: (fake) => fake.add('shop', 'app') })
  h.informer.start()
  await h.informer.synced()
  await h.until(() => h.fake.openWatches() === 1, 'an open watch')
  h.fake.add('shop', 'new', ROLE)
  await h.until(() => h.informer.get('shop', 'new') !== undefined, 'ADDED shop/new')
  assert.equal(role(h.informer.get('shop', 'new')), ROLE['eks.amazonaws.com/role-arn'])
  h.fake.update('shop', 'app', {
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/v2',
  })
  await h.until(() => role(h.informer.get('shop', 'app')) !== undefined, 'MODIFIED shop/app')
  assert.equal(role(h.informer.get('shop', 'app')), 'arn:aws:iam::111122223333:role/v2')
  const deletedAt = h.fake.remove('shop', 'new')
  await h.until(() => h.informer.size() === 1, 'DELETED shop/new')
  assert.equal(h.informer.resourceVersion(), deletedAt)
  h.fake.bookmark()
  await h.until(() => Number(h.informer.resourceVersion()) > Number(deletedAt), 'BOOKMARK')
})

test('a dropped watch resumes from the last resourceVersion seen, without relisting', async (t) => {
  const h = await harness(t, { seed: (fake) => fake.add('shop', 'app') })
  h.informer.start()
  await h.informer.synced()
  await h.until(() => h.fake.openWatches() === 1, 'an open watch')
  const lastSeen = h.fake.add('shop', 'before', ROLE)
  await h.until(() => h.informer.get('shop', 'before') !== undefined, 'ADDED before the drop')
  h.fake.dropWatches()
  h.fake.add('shop', 'during', ROLE)
  await h.until(
    () => h.informer.get('shop', 'during') !== undefined,
    'the event sent while dropped',
  )
  assert.equal(h.fake.watchVersions[1], lastSeen, 'the second watch resumes from the last event')
  assert.equal(h.informer.stats().lists, 1, 'no relist')
  assert.equal(h.sleeps.length, 1, 'one backoff after the drop')
})

test('410 Gone relists: what changed while the history was compacted is right afterwards', async (t) => {
  const h = await harness(t, {
    seed: (fake) => {
      fake.add('shop', 'app', ROLE)
      fake.add('shop', 'doomed', ROLE)
    },
  })
  h.informer.start()
  await h.informer.synced()
  await h.until(() => h.fake.openWatches() === 1, 'an open watch')
  h.fake.dropWatches()
  h.fake.remove('shop', 'doomed')
  h.fake.add('shop', 'fresh', ROLE)
  h.fake.compact()
  await h.until(() => h.informer.stats().lists === 2, 'a relist')
  await h.until(() => h.informer.get('shop', 'fresh') !== undefined, 'the relisted state')
  assert.equal(h.informer.size(), 2)
  assert.equal(h.informer.get('shop', 'doomed'), undefined)
  assert.notEqual(h.informer.get('shop', 'fresh'), undefined)
  assert.equal(h.informer.ready(), true)
})

test('a failing watch backs off, doubling up to the cap, and recovers', async (t) => {
  const h = await harness(t)
  h.fake.failWatches(500)
  h.informer.start()
  await h.informer.synced()
  await h.until(() => h.sleeps.length >= 5, 'five backoffs')
  assert.deepEqual(h.sleeps.slice(0, 5), [10, 20, 40, 40, 40])
  h.fake.failWatches(undefined)
  await h.until(() => h.fake.openWatches() === 1, 'a watch after recovery')
  h.fake.add('late', 'sa', ROLE)
  await h.until(() => h.informer.get('late', 'sa') !== undefined, 'events after recovery')
})

test('a cache miss is answered by a lookup (one GET for concurrent misses), then cached', async (t) => {
  const h = await harness(t, { lookup: { gracePeriodMs: 5000 } })
  h.fake.addHidden('shop', 'racy', ROLE)
  h.informer.start()
  await h.informer.synced()
  const a = h.informer.get('shop', 'racy')
  const b = h.informer.get('shop', 'racy')
  assert.ok(a instanceof Promise && b instanceof Promise, 'a miss answers asynchronously')
  const [sa1, sa2] = await Promise.all([a, b])
  assert.equal(role(sa1), ROLE['eks.amazonaws.com/role-arn'])
  assert.deepEqual(sa1, sa2)
  const gets = h.fake.requests.filter(
    (r) => r.path === '/api/v1/namespaces/shop/serviceaccounts/racy',
  )
  assert.equal(gets.length, 1, 'de-duplicated')
  assert.equal(gets[0]?.authorization, 'Bearer sa-token')
  // Now it is cached: answered synchronously, no new request.
  assert.deepEqual(h.informer.get('shop', 'racy'), sa1)
  assert.equal(h.informer.stats().lookups, 1)
})

test('a 404 miss is remembered briefly (injected clock), then looked up again', async (t) => {
  const h = await harness(t, { lookup: { gracePeriodMs: 5000, negativeTtlMs: 5000 } })
  h.informer.start()
  await h.informer.synced()
  assert.equal(await h.informer.get('shop', 'ghost'), undefined)
  assert.equal(h.informer.get('shop', 'ghost'), undefined, 'the negative answer is synchronous')
  assert.equal(h.informer.stats().lookups, 1)
  h.clock.advance(5001)
  assert.equal(await h.informer.get('shop', 'ghost'), undefined)
  assert.equal(h.informer.stats().lookups, 2)
  // A watch ADDED clears the negative entry at once.
  await h.until(() => h.fake.openWatches() === 1, 'an open watch')
  h.fake.add('shop', 'ghost', ROLE)
  await h.until(() => h.informer.get('shop', 'ghost') !== undefined, 'ADDED shop/ghost')
})

test('the wait is bounded by the grace period; the late answer still fills the cache', async (t) => {
  const h = await harness(t, { lookup: { gracePeriodMs: 30 } })
  h.fake.addHidden('shop', 'slow', ROLE)
  h.informer.start()
  await h.informer.synced()
  const held = h.fake.holdGets()
  assert.equal(await h.informer.get('shop', 'slow'), undefined, 'gave up after the grace period')
  held.release()
  await h.until(() => h.informer.size() === 1, 'the late answer cached')
  assert.equal(role(h.informer.get('shop', 'slow')), ROLE['eks.amazonaws.com/role-arn'])
})

test('lookups are rate-limited, and off with a grace period of 0', async (t) => {
  const h = await harness(t, { lookup: { gracePeriodMs: 5000, burst: 1, perSecond: 1 } })
  h.informer.start()
  await h.informer.synced()
  assert.equal(await h.informer.get('a', 'one'), undefined)
  assert.equal(h.informer.get('a', 'two'), undefined, 'no token left: no lookup')
  assert.equal(h.informer.stats().lookups, 1)
  h.clock.advance(1000)
  assert.equal(await h.informer.get('a', 'two'), undefined)
  assert.equal(h.informer.stats().lookups, 2)

  const off = await harness(t, { lookup: { gracePeriodMs: 0 } })
  off.fake.addHidden('shop', 'x', ROLE)
  off.informer.start()
  await off.informer.synced()
  assert.equal(off.informer.get('shop', 'x'), undefined)
  assert.equal(off.informer.stats().lookups, 0)
})

test('a 401 is retried with backoff and the informer is not ready until a list succeeds', async (t) => {
  const h = await harness(t)
  h.fake.requireToken('other')
  h.informer.start()
  await h.until(() => h.sleeps.length >= 2, 'two backoffs')
  assert.equal(h.informer.ready(), false)
  h.fake.requireToken(undefined)
  await h.informer.synced()
  assert.equal(h.informer.ready(), true)
})

test('stop() in the middle of a list that never answers ends at once (the list is aborted)', async (t) => {
  const h = await harness(t)
  const held = h.fake.holdLists()
  t.after(() => {
    held.release()
  })
  h.informer.start()
  await h.until(() => h.fake.requests.some((r) => r.path.includes('limit=')), 'a list request')
  const started = performance.now()
  await h.informer.stop()
  assert.ok(performance.now() - started < 5000, 'stop did not wait for the list timeout')
  assert.equal(h.informer.ready(), false)
})
