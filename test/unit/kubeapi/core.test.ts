import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import {
  decodeProtobufObject,
  invalid,
  KUBE_STATUS,
  kubeStatus,
  resourceAt,
} from '../../../src/kubeapi/index.js'
import {
  aggregatedDiscovery,
  apiResourceList,
  wantsAggregated,
} from '../../../src/kubeapi/discovery.js'
import { mergePatch, strategicMerge } from '../../../src/kubeapi/patch.js'
import { routeOf } from '../../../src/kubeapi/routes.js'
import { fieldSelector, labelSelector } from '../../../src/kubeapi/selectors.js'
import { renderTable, wantsTable } from '../../../src/kubeapi/table.js'
import { dns1123Label, dns1123Subdomain, metadataErrors } from '../../../src/kubeapi/validation.js'
import { repoPath } from '../../helpers/paths.js'

const fixture = (
  name: string,
): {
  requests: { method: string; accept?: string; bodyBase64?: string; bodyDecoded?: unknown }[]
} =>
  JSON.parse(readFileSync(repoPath('test', 'fixtures', 'kubectl', `${name}.json`), 'utf8')) as never

test('docs/errors.md lists the Kubernetes API registry exactly (reason, code, message)', () => {
  const doc = readFileSync(repoPath('docs', 'errors.md'), 'utf8')
  const begin = '<!-- registry:kubeapi:begin -->'
  const end = '<!-- registry:kubeapi:end -->'
  const section = doc.slice(doc.indexOf(begin) + begin.length, doc.indexOf(end)).trim()
  assert.ok(
    doc.includes(begin) && doc.includes(end),
    'docs/errors.md has no kubeapi registry section',
  )
  const rows = (text: string): string[][] =>
    text
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) =>
        l
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((c) => c.trim()),
      )
  const expected = Object.entries(KUBE_STATUS).map(([name, e]) => [
    `\`${name}\``,
    `\`${e.reason}\``,
    String(e.code),
    e.message.replace(/\|/g, '\\|'),
  ])
  assert.deepEqual(
    rows(section),
    expected,
    'docs/errors.md registry:kubeapi is out of step with KUBE_STATUS',
  )
})

test("Status objects as apimachinery's errors.go builds them", () => {
  assert.deepEqual(
    kubeStatus('NotFound', { resource: { group: '', resource: 'serviceaccounts' }, name: 'app' }),
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'serviceaccounts "app" not found',
      reason: 'NotFound',
      details: { name: 'app', kind: 'serviceaccounts' },
      code: 404,
    },
  )
  const conflict = kubeStatus('Conflict', {
    resource: { group: 'apps', resource: 'deployments' },
    name: 'web',
    detail:
      'the object has been modified; please apply your changes to the latest version and try again',
  })
  assert.equal(
    conflict.message,
    'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  )
  assert.deepEqual(conflict.details, { name: 'web', group: 'apps', kind: 'deployments' })
  assert.deepEqual(kubeStatus('Unauthorized'), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Unauthorized',
    reason: 'Unauthorized',
    code: 401,
  })
})

test('names: RFC 1123 labels for Namespaces, subdomains for the rest, with the field causes', () => {
  assert.deepEqual(dns1123Label('team-a'), [])
  assert.deepEqual(dns1123Label('a.b'), ['must not contain dots'])
  assert.deepEqual(dns1123Subdomain('a.b'), [])
  assert.equal(dns1123Label('x'.repeat(64))[0], 'must be no more than 63 characters')
  const status = invalid('Namespace', 'Bad_Name', metadataErrors('Namespace', 'Bad_Name')).status
  assert.equal(status.code, 422)
  assert.equal(
    status.message,
    `Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
  )
  assert.deepEqual(
    status.details?.causes?.map((c) => c.field),
    ['metadata.name'],
  )
  const two = invalid('Pod', '', metadataErrors('Pod', '', 'Bad'))
  assert.match(
    two.message,
    /^Pod "" is invalid: \[metadata\.name: Required value: name or generateName is required, metadata\.namespace: Invalid value: "Bad": /,
  )
})

test('JSON merge patch (RFC 7386) and strategic merge patch with merge keys and directives', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 }, f: [1] }), {
    a: 1,
    b: { d: 3, e: 4 },
    f: [1],
  })
  const deployment = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'busybox:1.36', env: [{ name: 'A', value: '1' }] },
            { name: 'side', image: 'busybox:1.36' },
          ],
        },
      },
    },
  }
  // What kubectl apply sent when the web image changed (test/fixtures/kubectl/apply-deployment-update-v3-no-smp.json).
  const patched = strategicMerge(deployment, {
    spec: {
      template: {
        spec: {
          $setElementOrder: undefined,
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }],
          containers: [{ image: 'busybox:1.37', name: 'web' }],
        },
      },
    },
  } as never)
  assert.deepEqual(patched, {
    spec: {
      template: {
        spec: {
          $setElementOrder: undefined,
          containers: [
            { name: 'web', image: 'busybox:1.37', env: [{ name: 'A', value: '1' }] },
            { name: 'side', image: 'busybox:1.36' },
          ],
        },
      },
    },
  })
  const deleted = strategicMerge(
    { spec: { containers: [{ name: 'a' }, { name: 'b' }], volumes: [{ name: 'v' }] } },
    {
      spec: {
        containers: [{ name: 'a', $patch: 'delete' }],
        volumes: [{ name: 'w' }, { $patch: 'replace' }],
      },
    },
  )
  assert.deepEqual(deleted, { spec: { containers: [{ name: 'b' }], volumes: [{ name: 'w' }] } })
  assert.deepEqual(
    strategicMerge(
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    ),
    { metadata: { finalizers: ['b'] } },
  )
})

test('label and field selectors, in any order of terms', () => {
  const pod = {
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' } },
    status: { phase: 'Running' },
  }
  assert.equal(labelSelector('app=web,tier!=db')(pod), true)
  assert.equal(labelSelector('app in (api, web),!gone')(pod), true)
  assert.equal(labelSelector('tier notin (front)')(pod), false)
  assert.equal(labelSelector('app')(pod), true)
  assert.equal(fieldSelector('metadata.namespace=default,metadata.name==web')(pod), true)
  assert.equal(fieldSelector('metadata.name=web,status.phase!=Running')(pod), false)
  assert.throws(() => fieldSelector('nonsense'), /invalid selector/)
})

test('the protobuf bodies kubectl sent decode to their JSON (recorded: create token, create namespace)', () => {
  for (const [name, expected] of [
    [
      'create-token-audience-duration',
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: {},
        spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 3600 },
      },
    ],
    ['create-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }],
  ] as const) {
    const post = fixture(name).requests.find((r) => r.method === 'POST')
    assert.ok(post?.bodyBase64 !== undefined, `${name} has a POST body`)
    assert.deepEqual(decodeProtobufObject(Buffer.from(post.bodyBase64, 'base64')), expected)
  }
  assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), /magic/)
  assert.throws(
    () => decodeProtobufObject(Buffer.from('k8s\u0000\u000a\u00ff', 'latin1')),
    /truncated/,
  )
})

test('discovery: the Accept kubectl sends asks for aggregated discovery, which names every served resource', () => {
  const accept = fixture('get-sa').requests.find(
    (r) => r.accept?.includes('apidiscovery') === true,
  )?.accept
  assert.equal(wantsAggregated(accept), true)
  assert.equal(wantsAggregated('application/json'), false)
  const api = aggregatedDiscovery('/api') as {
    items: {
      versions: { resources: { resource: string; subresources?: { subresource: string }[] }[] }[]
    }[]
  }
  const resources = api.items[0]?.versions[0]?.resources ?? []
  assert.deepEqual(resources.map((r) => r.resource).sort(), [
    'configmaps',
    'events',
    'namespaces',
    'pods',
    'secrets',
    'serviceaccounts',
  ])
  assert.deepEqual(
    resources
      .find((r) => r.resource === 'serviceaccounts')
      ?.subresources?.map((s) => s.subresource),
    ['token'],
  )
  assert.equal(apiResourceList('v2'), undefined)
})

test('routes: namespaced, cluster-scoped, subresources, unknown', () => {
  const sa = routeOf('/api/v1/namespaces/default/serviceaccounts/app/token')
  assert.equal(
    sa.type === 'resource' &&
      `${sa.resource.resource} ${String(sa.namespace)} ${String(sa.name)} ${String(sa.subresource)}`,
    'serviceaccounts default app token',
  )
  const ns = routeOf('/api/v1/namespaces/team')
  assert.equal(ns.type === 'resource' && `${ns.resource.kind} ${String(ns.name)}`, 'Namespace team')
  const all = routeOf('/apis/apps/v1/deployments')
  assert.equal(
    all.type === 'resource' && all.namespace === undefined && all.resource.kind,
    'Deployment',
  )
  assert.equal(routeOf('/api/v1/widgets').type, 'unknown')
  assert.equal(
    routeOf('/api/v1/pods/x').type,
    'unknown',
    'a namespaced resource is not reached without its namespace',
  )
  assert.equal(resourceAt('v1', 'deployments'), undefined)
})

test("Table printing: kubectl's Accept, the columns and the Age cell", () => {
  const accept = fixture('get-pods').requests.find(
    (r) => r.accept?.includes('as=Table') === true,
  )?.accept
  assert.equal(wantsTable(accept), true)
  assert.equal(wantsTable('application/json'), false)
  const now = Date.parse('2026-12-03T07:00:00Z')
  const table = renderTable(
    'Pod',
    [
      {
        metadata: { name: 'web', creationTimestamp: '2026-12-03T06:56:40Z' },
        spec: { containers: [{}, {}] },
        status: {
          phase: 'Running',
          containerStatuses: [
            { ready: true, restartCount: 2 },
            { ready: false, restartCount: 1 },
          ],
        },
      },
    ],
    { nowMs: now, resourceVersion: '7' },
  ) as {
    columnDefinitions: { name: string; priority: number }[]
    rows: { cells: unknown[]; object: { kind: string } }[]
  }
  assert.deepEqual(
    table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name),
    ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
  )
  assert.deepEqual(table.rows[0]?.cells.slice(0, 5), ['web', '1/2', 'Running', '3', '3m20s'])
  assert.equal(table.rows[0].object.kind, 'PartialObjectMetadata')
})
