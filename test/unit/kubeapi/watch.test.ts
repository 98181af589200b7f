import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  KubeRegistry,
  resourceAt,
  WatchHub,
  type ResourceInfo,
  type WatchEvent,
} from '../../../src/kubeapi/index.js'
import { KUBE_CHANGES_KEPT, type Store } from '../../../src/store/index.js'
import { createMutationConfig, type JsonObject } from '../../../src/webhook/index.js'
import { ACCOUNT, fixture } from '../store/helpers.js'

const CONFIGMAPS = resourceAt('v1', 'configmaps') as ResourceInfo

function cluster(store: Store): string {
  return store.clusters.create({
    accountId: ACCOUNT,
    region: 'us-east-1',
    name: 'local',
    issuerUrl: (id) => `https://127.0.0.1:8443/id/${id}`,
  }).arn
}

function registryOf(store: Store, arn: string, hub: WatchHub): KubeRegistry {
  const mutation = createMutationConfig()
  return new KubeRegistry({
    store,
    clusterArn: arn,
    clock: { now: () => Date.now() },
    caPem: 'CA',
    mutation: () => mutation,
    onChange: (e) => {
      hub.publish(e)
    },
  })
}

function watch(
  t: TestContext,
  hub: WatchHub,
  from: number,
): { events: string[]; backlog: string[]; expired: () => boolean } | undefined {
  const events: string[] = []
  let expired = false
  const show = (e: WatchEvent): string =>
    `${e.type} ${e.kind} ${(e.object['metadata'] as { name: string }).name} ${String(e.resourceVersion)}`
  const sub = hub.subscribe(from, {
    onEvent: (e) => events.push(show(e)),
    onExpired: () => {
      expired = true
    },
  })
  if (sub === undefined) return undefined
  t.after(sub.stop)
  return { events, backlog: sub.backlog.map(show), expired: () => expired }
}

const cm = (name: string, v: string): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { v },
})

test('a watch gets this process’s changes at once, in order, DELETED with the deletion’s version', (t) => {
  const { store } = fixture(t)
  const arn = cluster(store)
  const hub = new WatchHub(store, arn)
  const registry = registryOf(store, arn, hub)
  registry.bootstrap()
  const start = Number(registry.resourceVersion())
  const w = watch(t, hub, start)
  assert.ok(w)
  registry.create(CONFIGMAPS, 'default', cm('a', '1'))
  registry.update(CONFIGMAPS, 'default', 'a', cm('a', '2'))
  registry.delete(CONFIGMAPS, 'default', 'a')
  assert.deepEqual(w.backlog, [])
  assert.deepEqual(w.events, [
    `ADDED ConfigMap a ${String(start + 1)}`,
    `MODIFIED ConfigMap a ${String(start + 2)}`,
    `DELETED ConfigMap a ${String(start + 3)}`,
  ])
})

test('a watch from resourceVersion R replays the log after R, also after a restart', (t) => {
  const { store, reopen } = fixture(t)
  const arn = cluster(store)
  const first = registryOf(store, arn, new WatchHub(store, arn))
  first.bootstrap()
  first.create(CONFIGMAPS, 'default', cm('a', '1'))
  const r = Number(first.resourceVersion())
  first.create(CONFIGMAPS, 'default', cm('b', '1'))
  first.delete(CONFIGMAPS, 'default', 'a')
  store.close()

  const again = reopen()
  const hub = new WatchHub(again, arn)
  const registry = registryOf(again, arn, hub)
  const w = watch(t, hub, r)
  assert.ok(w)
  assert.deepEqual(w.backlog, [
    `ADDED ConfigMap b ${String(r + 1)}`,
    `DELETED ConfigMap a ${String(r + 2)}`,
  ])
  registry.create(CONFIGMAPS, 'default', cm('c', '1'))
  assert.deepEqual(w.events, [`ADDED ConfigMap c ${String(r + 3)}`])
})

test('changes another process commits reach open watches by polling the store', async (t) => {
  const { store, reopen } = fixture(t)
  const arn = cluster(store)
  const hub = new WatchHub(store, arn, 10)
  const registry = registryOf(store, arn, hub)
  registry.bootstrap()
  const w = watch(t, hub, Number(registry.resourceVersion()))
  assert.ok(w)
  const other = reopen()
  other.kubeObjects.apply(arn, {
    kind: 'ConfigMap',
    namespace: 'default',
    name: 'from-a-shell',
    object: cm('from-a-shell', '1'),
  })
  const rv = other.kubeObjects.revision(arn)
  for (let i = 0; i < 100 && w.events.length === 0; i++) await sleep(10)
  assert.deepEqual(w.events, [`ADDED ConfigMap from-a-shell ${String(rv)}`])
  // A change of this process after it is delivered once, after the other one.
  registry.create(CONFIGMAPS, 'default', cm('here', '1'))
  assert.deepEqual(w.events.slice(1), [`ADDED ConfigMap here ${String(rv + 1)}`])
  assert.equal(hub.watchers, 1)
})

test('a watch from a version pruned out of the log is refused (410); a future one waits', (t) => {
  const { store } = fixture(t)
  const arn = cluster(store)
  const hub = new WatchHub(store, arn)
  const registry = registryOf(store, arn, hub)
  registry.bootstrap()
  store.transaction(() => {
    for (let i = 0; i <= KUBE_CHANGES_KEPT + 3; i++)
      store.kubeObjects.apply(arn, {
        kind: 'ConfigMap',
        namespace: 'default',
        name: 'x',
        object: { i },
      })
  })
  const floor = hub.floor()
  assert.ok(floor > 0)
  assert.equal(floor, store.kubeObjects.revision(arn) - KUBE_CHANGES_KEPT)
  assert.equal(watch(t, hub, floor - 1), undefined)
  const atFloor = watch(t, hub, floor)
  assert.equal(atFloor?.backlog.length, KUBE_CHANGES_KEPT)
  const now = store.kubeObjects.revision(arn)
  const future = watch(t, hub, now + 1)
  assert.ok(future)
  registry.create(CONFIGMAPS, 'default', cm('y', '1'))
  registry.create(CONFIGMAPS, 'default', cm('z', '1'))
  assert.deepEqual(future.events, [`ADDED ConfigMap z ${String(now + 2)}`])
  assert.equal(atFloor.events.length, 2)
})
