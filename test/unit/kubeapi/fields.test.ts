import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { KubeApiError, resourceAt, type ResourceInfo } from '../../../src/kubeapi/index.js'
import {
  fieldValidationOf,
  unknownFields,
  validateFields,
  warningHeader,
} from '../../../src/kubeapi/fields.js'
import { serveVerb, type ResourceRequest } from '../../../src/kubeapi/verbs.js'
import { KubeRegistry } from '../../../src/kubeapi/registry.js'
import type { Store } from '../../../src/store/index.js'
import { createMutationConfig, type JsonValue } from '../../../src/webhook/index.js'
import { repoPath } from '../../helpers/paths.js'
import { ACCOUNT, fixture } from '../store/helpers.js'

interface Recorded {
  requests: {
    method: string
    query: Record<string, string>
    body: JsonValue
    response: { status: number; body: JsonValue }
  }[]
}

test('Strict refuses an unknown field with the words kube-apiserver answered kubectl', () => {
  const rec = JSON.parse(
    readFileSync(repoPath('test', 'fixtures', 'kubectl', 'apply-sa-unknown-field.json'), 'utf8'),
  ) as Recorded
  const post = rec.requests.find((r) => r.method === 'POST')
  assert.ok(post)
  const directive = fieldValidationOf(new URLSearchParams(post.query))
  assert.equal(directive, 'Strict')
  assert.throws(
    () => validateFields('ServiceAccount', 'v1', post.body, directive),
    (e: unknown) => {
      assert.ok(e instanceof KubeApiError)
      assert.equal(e.status.code, post.response.status)
      assert.deepEqual(e.status, post.response.body)
      return true
    },
  )
})

test('unknown fields: top level, metadata, Pod and Deployment specs and templates, in order', () => {
  assert.deepEqual(
    unknownFields('Pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      zeta: 1,
      metadata: { name: 'p', labelz: {} },
      spec: { containers: [], foo: 1, serviceAccountName: 'x', containers2: [] },
      status: { anything: true },
    }),
    ['zeta', 'metadata.labelz', 'spec.foo', 'spec.containers2'],
  )
  assert.deepEqual(
    unknownFields('Deployment', {
      spec: {
        replicas: 1,
        replica: 2,
        template: { metadata: { labels: {}, x: 1 }, spec: { containers: [], nope: 1 }, y: 2 },
      },
    }),
    ['spec.replica', 'spec.template.metadata.x', 'spec.template.spec.nope', 'spec.template.y'],
  )
  assert.deepEqual(unknownFields('ConfigMap', { data: {}, binaryData: {}, immutable: true }), [])
  assert.deepEqual(unknownFields('Secret', { stringData: {}, type: 'Opaque', datas: {} }), [
    'datas',
  ])
  assert.equal(fieldValidationOf(new URLSearchParams()), 'Warn')
  assert.equal(fieldValidationOf(new URLSearchParams('fieldValidation=Ignore')), 'Ignore')
})

test('Warn drops the fields with a Warning header each (NewWarningHeader quoting); Ignore drops them silently', () => {
  const body = { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], foo: 1 }, bar: 2 }
  const warn = validateFields('Pod', 'v1', body, 'Warn')
  assert.deepEqual(warn.body, { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } })
  assert.deepEqual(warn.warnings, [
    '299 - "unknown field \\"spec.foo\\""',
    '299 - "unknown field \\"bar\\""',
  ])
  assert.equal(warningHeader('a\\b'), '299 - "a\\\\b"')
  const ignore = validateFields('Pod', 'v1', body, 'Ignore')
  assert.deepEqual(ignore.body, warn.body)
  assert.deepEqual(ignore.warnings, [])
  assert.throws(
    () => validateFields('Pod', 'v1', body, 'Strict'),
    /Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo", unknown field "bar"/,
  )
})

function setup(store: Store): KubeRegistry {
  const arn = store.clusters.create({
    accountId: ACCOUNT,
    region: 'us-east-1',
    name: 'local',
    issuerUrl: (id) => `https://127.0.0.1:8443/id/${id}`,
  }).arn
  const mutation = createMutationConfig()
  const registry = new KubeRegistry({
    store,
    clusterArn: arn,
    clock: { now: () => Date.now() },
    caPem: 'CA',
    mutation: () => mutation,
  })
  registry.bootstrap()
  return registry
}

test('create, update and patch apply the directive; a field already stored is not the patch’s', (t) => {
  const { store } = fixture(t)
  const registry = setup(store)
  const cms = resourceAt('v1', 'configmaps') as ResourceInfo
  const req = (method: string, query: string, body: unknown, name?: string): ResourceRequest => ({
    method,
    resource: cms,
    namespace: 'default',
    name,
    query: new URLSearchParams(query),
    accept: undefined,
    contentType: method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
    raw: Buffer.from(JSON.stringify(body)),
    nowMs: Date.now(),
  })
  assert.throws(
    () =>
      serveVerb(req('POST', 'fieldValidation=Strict', { metadata: { name: 'a' }, x: 1 }), registry),
    /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "x"/,
  )
  const created = serveVerb(
    req('POST', 'fieldValidation=Warn', { metadata: { name: 'a' }, data: { k: 'v' }, x: 1 }),
    registry,
  )
  assert.equal(created.status, 201)
  assert.deepEqual(created.warnings, ['299 - "unknown field \\"x\\""'])
  assert.equal((registry.get(cms, 'default', 'a') as Record<string, unknown>)['x'], undefined)
  assert.throws(
    () => serveVerb(req('PATCH', 'fieldValidation=Strict', { y: 1 }, 'a'), registry),
    /unknown field "y"/,
  )
  const put = serveVerb(
    req('PUT', '', { metadata: { name: 'a' }, data: { k: 'w' }, z: 1 }, 'a'),
    registry,
  )
  assert.deepEqual(put.warnings, ['299 - "unknown field \\"z\\""'])
  // An object written straight to the store with an unknown field can still be patched.
  store.kubeObjects.apply(store.clusters.list()[0]?.arn ?? '', {
    kind: 'ConfigMap',
    namespace: 'default',
    name: 'b',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, legacy: 1 },
  })
  const patched = serveVerb(
    req('PATCH', 'fieldValidation=Strict', { data: { k: 'v' } }, 'b'),
    registry,
  )
  assert.equal(patched.status, 200)
  assert.equal(patched.warnings, undefined)
})
