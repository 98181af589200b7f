#!/usr/bin/env node
// Records the exact HTTP requests the real kubectl sends, against a small fake
// Kubernetes API server on 127.0.0.1 (plain HTTP, no deps).
//
//   node scripts/record-kubectl.mjs                 # record every scenario into test/fixtures/kubectl/
//   node scripts/record-kubectl.mjs --only apply-sa # record one scenario
//   node scripts/record-kubectl.mjs --serve 8080    # just run the fake server (logs to stderr)
//
// Env: KUBECTL (default "kubectl"), OUT (default test/fixtures/kubectl).
// Every scenario runs with a fresh --cache-dir, so discovery/OpenAPI are fetched from scratch.
// The fake answers are as close to kube-apiserver's as needed for kubectl to proceed;
// see test/fixtures/kubectl/README.md for what is faithful and what is not.
import http from 'node:http'
import { spawnSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const OUT = process.env.OUT ?? path.join(here, '..', 'test', 'fixtures', 'kubectl')
const KUBECTL = process.env.KUBECTL ?? 'kubectl'

// ---------------------------------------------------------------- resources
const RES = {
  namespaces: {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  serviceaccounts: {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    sub: {
      token: {
        kind: 'TokenRequest',
        group: 'authentication.k8s.io',
        version: 'v1',
        verbs: ['create'],
      },
    },
  },
  pods: {
    group: '',
    version: 'v1',
    kind: 'Pod',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  configmaps: {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  secrets: {
    group: '',
    version: 'v1',
    kind: 'Secret',
    singular: 'secret',
    namespaced: true,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  events: {
    group: '',
    version: 'v1',
    kind: 'Event',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  deployments: {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
}
const gvPath = (g, v) => (g === '' ? `/api/${v}` : `/apis/${g}/${v}`)

// -------------------------------------------------------------- object store
// Fixed clock so reruns give the same fixtures (timestamps, token iat/exp).
const FIXED_TIME = '2026-01-01T00:00:00Z'
let rv = 1000
let store // key: resource/ns/name -> object
let watchers
function resetStore() {
  rv = 1000
  store = new Map()
  watchers = []
  const t = '2026-01-01T00:00:00Z'
  const mk = (resource, ns, obj) => {
    const r = RES[resource]
    obj.apiVersion = r.group ? `${r.group}/${r.version}` : r.version
    obj.kind = r.kind
    obj.metadata = {
      ...obj.metadata,
      uid: `00000000-0000-0000-0000-${String(++rv).padStart(12, '0')}`,
      resourceVersion: String(rv),
      creationTimestamp: t,
    }
    if (ns) obj.metadata.namespace = ns
    store.set(`${resource}/${ns ?? ''}/${obj.metadata.name}`, obj)
  }
  for (const n of ['default', 'kube-system'])
    mk('namespaces', null, {
      metadata: { name: n, labels: { 'kubernetes.io/metadata.name': n } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    })
  mk('serviceaccounts', 'default', { metadata: { name: 'default' } })
  mk('serviceaccounts', 'default', {
    metadata: {
      name: 'app',
      annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/app' },
    },
  })
  mk('configmaps', 'default', {
    metadata: { name: 'kube-root-ca.crt' },
    data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n' },
  })
  mk('pods', 'default', {
    metadata: { name: 'app-0', labels: { app: 'app' } },
    spec: {
      serviceAccountName: 'app',
      nodeName: 'node-1',
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          command: ['sleep', '3600'],
          env: [
            { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111122223333:role/app' },
            {
              name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
              value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
            },
          ],
          volumeMounts: [
            {
              name: 'aws-iam-token',
              mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
              readOnly: true,
            },
          ],
        },
      ],
      volumes: [
        {
          name: 'aws-iam-token',
          projected: {
            sources: [
              {
                serviceAccountToken: {
                  audience: 'sts.amazonaws.com',
                  expirationSeconds: 86400,
                  path: 'token',
                },
              },
            ],
          },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: '10.0.0.5',
      podIPs: [{ ip: '10.0.0.5' }],
      qosClass: 'BestEffort',
      hostIP: '192.168.0.2',
      startTime: t,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }],
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          started: true,
          restartCount: 0,
          image: 'busybox:1.36',
          imageID: 'docker.io/library/busybox@sha256:0',
          containerID: 'containerd://0',
          state: { running: { startedAt: t } },
        },
      ],
    },
  })
  mk('events', 'default', {
    metadata: { name: 'app-0.1' },
    involvedObject: {
      kind: 'Pod',
      namespace: 'default',
      name: 'app-0',
      uid: store.get('pods/default/app-0').metadata.uid,
      apiVersion: 'v1',
      fieldPath: 'spec.containers{app}',
    },
    reason: 'Started',
    message: 'Started container app',
    type: 'Normal',
    count: 1,
    firstTimestamp: t,
    lastTimestamp: t,
    source: { component: 'kubelet', host: 'node-1' },
    reportingComponent: 'kubelet',
  })
}

const status = (code, reason, message, details) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: code < 400 ? 'Success' : 'Failure',
  message,
  reason,
  ...(details ? { details } : {}),
  code,
})

// ------------------------------------------------------------------ discovery
function apiResource(name, r, aggregated) {
  if (aggregated) {
    const out = {
      resource: name,
      responseKind: { group: r.group, version: r.version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singular,
      verbs: r.verbs,
    }
    if (r.shortNames) out.shortNames = r.shortNames
    if (r.categories) out.categories = r.categories
    if (r.sub)
      out.subresources = Object.entries(r.sub).map(([s, sr]) => ({
        subresource: s,
        responseKind: { group: sr.group, version: sr.version, kind: sr.kind },
        verbs: sr.verbs,
      }))
    return [out]
  }
  const out = [
    {
      name,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    },
  ]
  for (const [s, sr] of Object.entries(r.sub ?? {}))
    out.push({
      name: `${name}/${s}`,
      singularName: '',
      namespaced: r.namespaced,
      group: sr.group,
      version: sr.version,
      kind: sr.kind,
      verbs: sr.verbs,
    })
  return out
}
function groups() {
  const m = new Map()
  for (const [name, r] of Object.entries(RES)) {
    const k = `${r.group}/${r.version}`
    if (!m.has(k)) m.set(k, { group: r.group, version: r.version, res: [] })
    m.get(k).res.push([name, r])
  }
  return [...m.values()]
}
function aggregatedList(legacy) {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups()
      .filter((g) => (g.group === '') === legacy)
      .map((g) => ({
        metadata: { name: g.group, creationTimestamp: null },
        versions: [
          {
            version: g.version,
            resources: g.res.flatMap(([n, r]) => apiResource(n, r, true)),
            freshness: 'Current',
          },
        ],
      })),
  }
}

// -------------------------------------------------------------------- openapi
// Minimal OpenAPI v3: per group-version, one PATCH operation per kind carrying
// x-kubernetes-group-version-kind and a `fieldValidation` query parameter
// (what cli-runtime's queryParamVerifierV3 looks for), plus a permissive schema.
function openapiV3Root() {
  const paths = {}
  for (const g of groups())
    paths[gvPath(g.group, g.version).slice(1)] = {
      serverRelativeURL: `/openapi/v3${gvPath(g.group, g.version)}?hash=${hashOf(g)}`,
    }
  return { paths }
}
function hashOf(g) {
  return `${g.group || 'core'}${g.version}`.toUpperCase().padEnd(16, '0')
}
function openapiV3GV(g) {
  const paths = {}
  const schemas = {}
  for (const [name, r] of g.res) {
    const gvk = { group: r.group, version: r.version, kind: r.kind }
    const base =
      gvPath(r.group, r.version) +
      (r.namespaced ? `/namespaces/{namespace}/${name}/{name}` : `/${name}/{name}`)
    const sname = `io.k8s.api.${r.group || 'core'}.${r.version}.${r.kind}`
    paths[base] = {
      patch: {
        operationId: `patch${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
        parameters: [
          'dryRun',
          'fieldManager',
          ...(OPTS.openapi === 'v3-no-fv' ? [] : ['fieldValidation']),
          'force',
        ].map((p) => ({
          name: p,
          in: 'query',
          schema: { type: p === 'force' ? 'boolean' : 'string', uniqueItems: true },
        })),
        requestBody: {
          content:
            OPTS.openapi === 'v3-no-smp'
              ? {
                  'application/apply-patch+yaml': {
                    schema: {
                      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
                    },
                  },
                  'application/json-patch+json': {
                    schema: {
                      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
                    },
                  },
                  'application/merge-patch+json': {
                    schema: {
                      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
                    },
                  },
                }
              : {
                  'application/apply-patch+yaml': {
                    schema: {
                      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
                    },
                  },
                  'application/json-patch+json': {
                    schema: {
                      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
                    },
                  },
                  'application/merge-patch+json': {
                    schema: {
                      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
                    },
                  },
                  'application/strategic-merge-patch+json': {
                    schema: {
                      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
                    },
                  },
                },
          required: true,
        },
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${sname}` } } },
          },
        },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
      },
    }
    schemas[sname] = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      },
      'x-kubernetes-group-version-kind': [gvk],
    }
  }
  schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = { type: 'object' }
  schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      namespace: { type: 'string' },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    },
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas },
  }
}

// ---------------------------------------------------------------- table view
const age = () => '10d'
function tableFor(resource, objs, includeObject) {
  const cols = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      priority: 0,
    },
  ]
  let cells
  if (resource === 'pods') {
    cols.push(
      {
        name: 'Ready',
        type: 'string',
        format: '',
        description: 'The aggregate readiness state of this pod for accepting traffic.',
        priority: 0,
      },
      {
        name: 'Status',
        type: 'string',
        format: '',
        description: 'The aggregate status of the containers in this pod.',
        priority: 0,
      },
      {
        name: 'Restarts',
        type: 'string',
        format: '',
        description:
          'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
        priority: 0,
      },
      {
        name: 'Age',
        type: 'string',
        format: '',
        description:
          'CreationTimestamp is a timestamp representing the server time when this object was created.',
        priority: 0,
      },
      {
        name: 'IP',
        type: 'string',
        format: '',
        description: 'The IP address assigned to the pod',
        priority: 1,
      },
      {
        name: 'Node',
        type: 'string',
        format: '',
        description: 'The name of the node assigned to the pod',
        priority: 1,
      },
      {
        name: 'Nominated Node',
        type: 'string',
        format: '',
        description: 'The name of the node nominated by the scheduler',
        priority: 1,
      },
      {
        name: 'Readiness Gates',
        type: 'string',
        format: '',
        description: 'The readiness gates of the pod',
        priority: 1,
      },
    )
    cells = (o) => {
      const cs = o.status?.containerStatuses ?? []
      return [
        o.metadata.name,
        `${cs.filter((c) => c.ready).length}/${o.spec.containers.length}`,
        o.status?.phase ?? 'Pending',
        cs.reduce((a, c) => a + c.restartCount, 0),
        age(),
        o.status?.podIP ?? '<none>',
        o.spec.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ]
    }
  } else if (resource === 'serviceaccounts') {
    cols.push(
      {
        name: 'Secrets',
        type: 'string',
        format: '',
        description:
          'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
        priority: 0,
      },
      {
        name: 'Age',
        type: 'string',
        format: '',
        description:
          'CreationTimestamp is a timestamp representing the server time when this object was created.',
        priority: 0,
      },
    )
    cells = (o) => [o.metadata.name, (o.secrets ?? []).length, age()]
  } else if (resource === 'namespaces') {
    cols.push(
      {
        name: 'Status',
        type: 'string',
        format: '',
        description: 'The status of the namespace',
        priority: 0,
      },
      {
        name: 'Age',
        type: 'string',
        format: '',
        description:
          'CreationTimestamp is a timestamp representing the server time when this object was created.',
        priority: 0,
      },
    )
    cells = (o) => [o.metadata.name, o.status?.phase ?? 'Active', age()]
  } else {
    cols.push({
      name: 'Age',
      type: 'string',
      format: '',
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      priority: 0,
    })
    cells = (o) => [o.metadata.name, age()]
  }
  const r = RES[resource]
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(rv) },
    columnDefinitions: cols,
    rows: objs.map((o) => ({
      cells: cells(o),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  }
}

// ----------------------------------------------------------------- patching
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue // strategic-merge directives: ignored by this fake
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

// ------------------------------------------------------------------ protobuf
// kubectl's typed clientset (create token, create namespace, describe) sends
// Content-Type: application/vnd.kubernetes.protobuf. Body = "k8s\0" + runtime.Unknown
// {1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}; raw is the
// type's generated.proto message. Field numbers: k8s.io/api {core,authentication}/v1/generated.proto,
// k8s.io/apimachinery pkg/apis/meta/v1/generated.proto, pkg/runtime/generated.proto.
function pbFields(buf) {
  const out = []
  let i = 0
  const varint = () => {
    let r = 0n
    let sh = 0n
    for (;;) {
      const b = buf[i++]
      r |= BigInt(b & 0x7f) << sh
      if (!(b & 0x80)) return r
      sh += 7n
    }
  }
  while (i < buf.length) {
    const key = Number(varint())
    const no = key >> 3
    const wt = key & 7
    if (wt === 0) out.push([no, varint()])
    else if (wt === 2) {
      const n = Number(varint())
      out.push([no, buf.subarray(i, i + n)])
      i += n
    } else if (wt === 1) {
      out.push([no, buf.subarray(i, i + 8)])
      i += 8
    } else if (wt === 5) {
      out.push([no, buf.subarray(i, i + 4)])
      i += 4
    } else throw new Error(`wire type ${wt}`)
  }
  return out
}
const pbStr = (b) => Buffer.from(b).toString('utf8')
function pbMap(entries) {
  const m = {}
  for (const e of entries) {
    const f = Object.fromEntries(pbFields(e))
    m[pbStr(f[1] ?? [])] = pbStr(f[2] ?? [])
  }
  return m
}
function pbObjectMeta(b) {
  const m = {}
  const labels = []
  const ann = []
  for (const [no, v] of pbFields(b)) {
    if (no === 1 && v.length) m.name = pbStr(v)
    else if (no === 2 && v.length) m.generateName = pbStr(v)
    else if (no === 3 && v.length) m.namespace = pbStr(v)
    else if (no === 11) labels.push(v)
    else if (no === 12) ann.push(v)
  }
  if (labels.length) m.labels = pbMap(labels)
  if (ann.length) m.annotations = pbMap(ann)
  return m
}
function decodeK8sProtobuf(buf) {
  if (buf.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('no k8s protobuf magic')
  const u = Object.fromEntries(pbFields(buf.subarray(4)))
  const tm = Object.fromEntries(pbFields(u[1] ?? Buffer.alloc(0)))
  const apiVersion = pbStr(tm[1] ?? [])
  const kind = pbStr(tm[2] ?? [])
  const obj = { apiVersion, kind }
  for (const [no, v] of pbFields(u[2] ?? Buffer.alloc(0))) {
    if (no === 1) obj.metadata = pbObjectMeta(v)
    else if (no === 2 && kind === 'TokenRequest') {
      const spec = {}
      for (const [sn, sv] of pbFields(v)) {
        if (sn === 1) (spec.audiences ??= []).push(pbStr(sv))
        else if (sn === 4) spec.expirationSeconds = Number(sv)
        else if (sn === 3) {
          const r = {}
          for (const [rn, rv2] of pbFields(sv))
            r[['', 'kind', 'apiVersion', 'name', 'uid'][rn]] = pbStr(rv2)
          spec.boundObjectRef = r
        }
      }
      obj.spec = spec
    } else if (no === 2 && kind === 'Namespace') {
      const spec = {}
      for (const [sn, sv] of pbFields(v)) if (sn === 1) (spec.finalizers ??= []).push(pbStr(sv))
      obj.spec = spec
    }
  }
  return obj
}

// ------------------------------------------------------------------- server
let LOG = []
let OPTS = { discovery: 'aggregated', openapi: 'v3' }

function send(res, code, body, contentType = 'application/json', extra = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    ...extra,
  })
  res.end(text)
  return {
    status: code,
    contentType,
    body: typeof body === 'string' ? body.slice(0, 2000) : summarize(body),
  }
}
// Keep fixture files readable: large documents are recorded by shape.
function summarize(body) {
  const s = JSON.stringify(body)
  return s.length > 6000
    ? { $summary: `${s.length} bytes`, kind: body.kind, keys: Object.keys(body) }
    : body
}

function parsePath(p) {
  // -> {group, version, namespace, resource, name, sub}
  const seg = p.split('/').filter(Boolean)
  let i
  let group
  let version
  if (seg[0] === 'api') {
    group = ''
    version = seg[1]
    i = 2
  } else if (seg[0] === 'apis') {
    group = seg[1]
    version = seg[2]
    i = 3
  } else return null
  let namespace = null
  if (seg[i] === 'namespaces' && seg.length > i + 2) {
    namespace = seg[i + 1]
    i += 2
  }
  const resource = seg[i]
  const name = seg[i + 1] ?? null
  const sub = seg[i + 2] ?? null
  if (resource === 'namespaces' && namespace === null && name)
    return { group, version, namespace: null, resource, name, sub }
  return { group, version, namespace, resource, name, sub }
}

function matchesFieldSelector(o, fs) {
  if (!fs) return true
  return fs.split(',').every((term) => {
    const m = term.match(/^([^=!]+)(==|=|!=)(.*)$/)
    if (!m) return true
    const val = m[1].split('.').reduce((a, k) => (a == null ? undefined : a[k]), o)
    const eq = String(val ?? '') === m[3]
    return m[2] === '!=' ? !eq : eq
  })
}
function matchesLabelSelector(o, ls) {
  if (!ls) return true
  return ls.split(',').every((term) => {
    const [k, v] = term.split('=')
    return v === undefined ? k in (o.metadata.labels ?? {}) : o.metadata.labels?.[k] === v
  })
}

async function handle(req, res, rawBody) {
  const u = new URL(req.url, 'http://x')
  const body = (req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')
    ? JSON.stringify(decodeK8sProtobuf(rawBody))
    : rawBody.toString('utf8')
  const p = u.pathname
  const accept = req.headers.accept ?? ''
  const q = u.searchParams

  if (p === '/version' && OPTS.noVersion)
    return send(
      res,
      404,
      status(404, 'NotFound', 'the server could not find the requested resource', {}),
    )
  if (
    OPTS.rejectProtobuf &&
    (req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')
  )
    return send(
      res,
      415,
      status(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
      ),
    )
  if (p === '/version')
    return send(res, 200, {
      major: '1',
      minor: OPTS.serverMinor ?? '32',
      gitVersion: `v1.${OPTS.serverMinor ?? '32'}.4`,
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2025-04-22T00:00:00Z',
      goVersion: 'go1.23.8',
      compiler: 'gc',
      platform: 'linux/amd64',
    })

  // Discovery
  const wantsAgg = accept.includes('g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')
  if (p === '/api' || p === '/apis') {
    if (OPTS.discovery === 'aggregated' && wantsAgg)
      return send(
        res,
        200,
        aggregatedList(p === '/api'),
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      )
    if (p === '/api')
      return send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
      })
    return send(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups()
        .filter((g) => g.group)
        .map((g) => ({
          name: g.group,
          versions: [{ groupVersion: `${g.group}/${g.version}`, version: g.version }],
          preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version },
        })),
    })
  }
  for (const g of groups()) {
    if (p === gvPath(g.group, g.version)) {
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: g.group ? `${g.group}/${g.version}` : g.version,
        resources: g.res.flatMap(([n, r]) => apiResource(n, r, false)),
      })
    }
  }

  // OpenAPI
  if (p === '/openapi/v3' || p.startsWith('/openapi/v3/')) {
    if (OPTS.openapi === 'none')
      return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8')
    if (p === '/openapi/v3') return send(res, 200, openapiV3Root())
    // kube-openapi pkg/handler3/handler.go: with ?hash= matching the ETag: Cache-Control public, immutable + Expires (+1y)
    for (const g of groups()) {
      if (p === `/openapi/v3${gvPath(g.group, g.version)}`) {
        const extra = { Etag: `"${hashOf(g)}"`, Vary: 'Accept' }
        if (q.get('hash') === hashOf(g))
          Object.assign(extra, {
            'Cache-Control': 'public, immutable',
            Expires: new Date(Date.now() + 365 * 864e5).toUTCString(),
          })
        return send(res, 200, openapiV3GV(g), 'application/json', extra)
      }
    }
    return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8')
  }
  if (p === '/openapi/v2' || p === '/swagger.json') {
    if (OPTS.openapi !== 'v2')
      return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8')
    return send(res, 200, {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: 'v1.32.4' },
      paths: {},
      definitions: {},
    })
  }

  // REST
  const pp = parsePath(p)
  const r = pp && RES[pp.resource]
  if (!r || r.group !== pp.group || r.version !== pp.version)
    return send(
      res,
      404,
      status(404, 'NotFound', 'the server could not find the requested resource', {}),
    )
  const ns = r.namespaced ? pp.namespace : null
  const key = `${pp.resource}/${ns ?? ''}/${pp.name}`
  const wantsTable = accept.includes('as=Table')
  const method = req.method
  const nf = () =>
    send(
      res,
      404,
      status(404, 'NotFound', `${pp.resource} "${pp.name}" not found`, {
        name: pp.name,
        kind: pp.resource,
      }),
    )

  if (pp.sub === 'token' && pp.resource === 'serviceaccounts' && method === 'POST') {
    const sa = store.get(key)
    if (!sa) return nf()
    const tr = JSON.parse(body || '{}')
    const exp = tr.spec?.expirationSeconds ?? 3600
    const now = Math.floor(Date.parse(FIXED_TIME) / 1000)
    const claims = {
      aud: tr.spec?.audiences?.length ? tr.spec.audiences : ['https://kubernetes.default.svc'],
      exp: now + exp,
      iat: now,
      iss: 'https://kubernetes.default.svc',
      jti: '00000000-0000-0000-0000-000000000001',
      'kubernetes.io': {
        namespace: ns,
        serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid },
      },
      nbf: now,
      sub: `system:serviceaccount:${ns}:${sa.metadata.name}`,
    }
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const token = `${b64({ alg: 'RS256', kid: 'fake' })}.${b64(claims)}.c2lnbmF0dXJl`
    return send(res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: sa.metadata.name, namespace: ns, creationTimestamp: null },
      spec: {
        audiences: claims.aud,
        expirationSeconds: exp,
        boundObjectRef: tr.spec?.boundObjectRef ?? null,
      },
      status: {
        token,
        expirationTimestamp: new Date((now + exp) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    })
  }
  if (pp.sub)
    return send(
      res,
      404,
      status(404, 'NotFound', 'the server could not find the requested resource', {}),
    )

  if (method === 'GET' && !pp.name) {
    let items = [...store.entries()]
      .filter(([k]) => k.startsWith(`${pp.resource}/${ns === null ? '' : `${ns}/`}`))
      .map(([, o]) => o)
    if (r.namespaced && ns === null)
      items = [...store.entries()]
        .filter(([k]) => k.startsWith(`${pp.resource}/`))
        .map(([, o]) => o)
    items = items.filter(
      (o) =>
        matchesFieldSelector(o, q.get('fieldSelector')) &&
        matchesLabelSelector(o, q.get('labelSelector')),
    )
    if (q.get('watch') === 'true' || q.get('watch') === '1') {
      res.writeHead(200, {
        'Content-Type': wantsTable ? 'application/json' : 'application/json',
        'Transfer-Encoding': 'chunked',
      })
      const w = {
        res,
        resource: pp.resource,
        ns,
        table: wantsTable,
        includeObject: q.get('includeObject'),
      }
      watchers.push(w)
      // Emit one MODIFIED event for the first item and, if asked, a BOOKMARK, then keep the stream open.
      setTimeout(() => {
        if (items[0]) {
          const o = {
            ...items[0],
            metadata: { ...items[0].metadata, resourceVersion: String(++rv) },
          }
          writeEvent(w, 'MODIFIED', o)
        }
        if (OPTS.watchEndMs)
          setTimeout(() => {
            try {
              res.end()
            } catch {
              /* */
            }
          }, OPTS.watchEndMs)
        if (q.get('allowWatchBookmarks') === 'true')
          res.write(
            `${JSON.stringify({ type: 'BOOKMARK', object: { kind: r.kind, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata: { resourceVersion: String(rv) } } })}\n`,
          )
      }, 300)
      return {
        status: 200,
        contentType: 'application/json',
        stream: 'watch (events below)',
        events: (w.events = []),
      }
    }
    if (wantsTable)
      return send(
        res,
        200,
        tableFor(pp.resource, items, q.get('includeObject') ?? 'Metadata'),
        'application/json',
      )
    return send(res, 200, {
      kind: `${r.kind}List`,
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      metadata: { resourceVersion: String(rv) },
      items,
    })
  }
  if (method === 'GET') {
    const o = store.get(key)
    if (!o) return nf()
    if (wantsTable)
      return send(res, 200, tableFor(pp.resource, [o], q.get('includeObject') ?? 'Metadata'))
    return send(res, 200, o)
  }
  const KNOWN = {
    serviceaccounts: [
      'apiVersion',
      'kind',
      'metadata',
      'secrets',
      'imagePullSecrets',
      'automountServiceAccountToken',
    ],
  }
  if (
    (method === 'POST' || method === 'PUT') &&
    q.get('fieldValidation') === 'Strict' &&
    KNOWN[pp.resource]
  ) {
    const unknown = Object.keys(JSON.parse(body)).filter((k) => !KNOWN[pp.resource].includes(k))
    // kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go -> errors.NewBadRequest(...strict decoding error...)
    if (unknown.length)
      return send(
        res,
        400,
        status(
          400,
          'BadRequest',
          `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${unknown.map((k) => `unknown field "${k}"`).join(', ')}`,
        ),
      )
  }
  if (method === 'POST' && !pp.name) {
    const o = JSON.parse(body)
    const k = `${pp.resource}/${ns ?? ''}/${o.metadata?.name}`
    if (store.has(k))
      return send(
        res,
        409,
        status(409, 'AlreadyExists', `${pp.resource} "${o.metadata.name}" already exists`, {
          name: o.metadata.name,
          kind: pp.resource,
        }),
      )
    o.metadata = {
      ...o.metadata,
      uid: `00000000-0000-0000-0000-${String(++rv).padStart(12, '0')}`,
      resourceVersion: String(rv),
      creationTimestamp: FIXED_TIME,
    }
    if (ns) o.metadata.namespace = ns
    if (pp.resource === 'namespaces') {
      o.spec = { finalizers: ['kubernetes'] }
      o.status = { phase: 'Active' }
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name }
    }
    store.set(k, o)
    return send(res, 201, o)
  }
  if (method === 'PATCH' || method === 'PUT') {
    let o = store.get(key)
    if (
      !o &&
      method === 'PATCH' &&
      (req.headers['content-type'] ?? '').startsWith('application/apply-patch')
    ) {
      // server-side apply creates a missing object (kubectl sends the applied object as JSON, which is valid YAML)
      o = {
        metadata: {
          uid: `00000000-0000-0000-0000-${String(++rv).padStart(12, '0')}`,
          creationTimestamp: FIXED_TIME,
        },
      }
      if (ns) o.metadata.namespace = ns
      store.set(key, o)
    }
    if (!o) return nf()
    const patch = JSON.parse(body)
    const n = method === 'PUT' ? patch : mergePatch(o, patch)
    n.metadata = {
      ...n.metadata,
      uid: o.metadata.uid,
      creationTimestamp: o.metadata.creationTimestamp,
      resourceVersion: String(++rv),
    }
    store.set(key, n)
    for (const w of watchers) if (w.resource === pp.resource) writeEvent(w, 'MODIFIED', n)
    return send(res, 200, n)
  }
  if (method === 'DELETE' && pp.name) {
    const o = store.get(key)
    if (!o) return nf()
    store.delete(key)
    for (const w of watchers) if (w.resource === pp.resource) writeEvent(w, 'DELETED', o)
    return send(res, 200, o)
  }
  return send(
    res,
    405,
    status(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    ),
  )
}
function writeEvent(w, type, o) {
  const object = w.table ? tableFor(w.resource, [o], w.includeObject ?? 'Metadata') : o
  const line = JSON.stringify({ type, object })
  w.events?.push(JSON.parse(line))
  try {
    w.res.write(`${line}\n`)
  } catch {
    /* closed */
  }
}

function startServer(port = 0) {
  const srv = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const raw = Buffer.concat(chunks)
      const isPb = (req.headers['content-type'] ?? '').startsWith(
        'application/vnd.kubernetes.protobuf',
      )
      const body = raw.toString('utf8')
      const u = new URL(req.url, 'http://x')
      const entry = {
        method: req.method,
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        accept: req.headers.accept ?? null,
        contentType: req.headers['content-type'] ?? null,
        userAgent: req.headers['user-agent'] ?? null,
        kubectlCommand: req.headers['kubectl-command'] ?? null,
        kubectlSession: req.headers['kubectl-session'] ? '<uuid>' : null,
        body: isPb ? null : body ? tryJson(body) : null,
        ...(isPb
          ? {
              bodyBase64: raw.toString('base64'),
              bodyDecoded: (() => {
                try {
                  return decodeK8sProtobuf(raw)
                } catch (e) {
                  return String(e)
                }
              })(),
            }
          : {}),
      }
      LOG.push(entry)
      try {
        entry.response = await handle(req, res, raw)
      } catch (e) {
        entry.response = send(res, 500, status(500, 'InternalError', String(e)))
      }
      if (process.env.VERBOSE)
        process.stderr.write(`${req.method} ${req.url} -> ${entry.response?.status}\n`)
    })
  })
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)))
}
function tryJson(s) {
  try {
    return JSON.parse(s)
  } catch {
    return s
  }
}

// ---------------------------------------------------------------- scenarios
const F = (name, text) => ({ name, text })
const SA_YAML =
  'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s3-reader\n  namespace: default\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/s3-reader\n'
const SA_YAML_BAD =
  'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s3-reader\n  namespace: default\nbogusField: 1\n'
const DEPLOY = (img) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      serviceAccountName: app\n      containers:\n      - name: web\n        image: ${img}\n      - name: side\n        image: busybox:1.36\n`
const SCENARIOS = [
  { id: 'version', args: ['version'] },
  {
    id: 'apply-sa-create',
    note: 'SA does not exist yet: GET 404 then POST',
    files: [F('sa.yaml', SA_YAML)],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-sa-update',
    note: 'second apply with a changed annotation (SA exists with last-applied from the first apply): GET then PATCH',
    files: [
      F('sa.yaml', SA_YAML),
      F('sa2.yaml', SA_YAML.replace('role/s3-reader', 'role/s3-reader-v2')),
    ],
    pre: [['apply', '-f', '{sa.yaml}']],
    args: ['apply', '-f', '{sa2.yaml}'],
  },
  {
    id: 'apply-sa-unchanged',
    note: 'apply the same file twice: second GET, no write',
    files: [F('sa.yaml', SA_YAML)],
    pre: [['apply', '-f', '{sa.yaml}']],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-sa-unknown-field',
    note: 'unknown field with default --validate=strict while the server advertises fieldValidation',
    files: [F('sa.yaml', SA_YAML_BAD)],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-sa-legacy-discovery-no-openapi',
    opts: { discovery: 'legacy', openapi: 'none' },
    note: 'server answers plain (unaggregated) discovery and 404 for all OpenAPI',
    files: [F('sa.yaml', SA_YAML)],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-sa-no-openapi',
    opts: { discovery: 'aggregated', openapi: 'none' },
    note: 'aggregated discovery, 404 for /openapi/v3 and /openapi/v2',
    files: [F('sa.yaml', SA_YAML)],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-sa-no-openapi-validate-false',
    opts: { discovery: 'aggregated', openapi: 'none' },
    files: [F('sa.yaml', SA_YAML)],
    args: ['apply', '--validate=false', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-sa-legacy-discovery',
    opts: { discovery: 'legacy', openapi: 'v3' },
    note: 'server answers plain (unaggregated) discovery; OpenAPI v3 served',
    files: [F('sa.yaml', SA_YAML)],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'get-sa-legacy-discovery',
    opts: { discovery: 'legacy', openapi: 'v3' },
    note: 'server answers plain (unaggregated) discovery',
    args: ['get', 'sa'],
  },
  {
    id: 'apply-sa-openapi-v3-no-fieldvalidation',
    opts: { discovery: 'aggregated', openapi: 'v3-no-fv' },
    note: 'OpenAPI v3 served but PATCH operations lack the fieldValidation parameter; /openapi/v2 is 404',
    files: [F('sa.yaml', SA_YAML)],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-sa-server-side',
    files: [F('sa.yaml', SA_YAML)],
    args: ['apply', '--server-side', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-namespace-and-sa',
    files: [
      F(
        'all.yaml',
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n---\n' +
          SA_YAML.replace('namespace: default', 'namespace: demo'),
      ),
    ],
    args: ['apply', '-f', '{all.yaml}'],
  },
  {
    id: 'get-sa-warm-cache',
    sameCache: true,
    note: 'same --cache-dir as a previous `kubectl get sa`: no discovery requests',
    pre: [['get', 'sa']],
    args: ['get', 'sa'],
  },
  {
    id: 'apply-sa-warm-cache',
    sameCache: true,
    note: 'same --cache-dir as a previous apply of the same file',
    files: [F('sa.yaml', SA_YAML)],
    pre: [['apply', '-f', '{sa.yaml}']],
    args: ['apply', '-f', '{sa.yaml}'],
  },
  {
    id: 'apply-deployment-update',
    note: 'minimal OpenAPI v3 (no container schema / patch-merge-key) that advertises strategic-merge-patch: a list change',
    files: [F('d1.yaml', DEPLOY('busybox:1.36')), F('d2.yaml', DEPLOY('busybox:1.37'))],
    pre: [['apply', '-f', '{d1.yaml}']],
    args: ['apply', '-f', '{d2.yaml}'],
  },
  {
    id: 'apply-deployment-update-v3-no-smp',
    opts: { discovery: 'aggregated', openapi: 'v3-no-smp' },
    note: 'OpenAPI v3 PATCH requestBody without application/strategic-merge-patch+json: kubectl falls back (v2, then compiled-in types)',
    files: [F('d1.yaml', DEPLOY('busybox:1.36')), F('d2.yaml', DEPLOY('busybox:1.37'))],
    pre: [['apply', '-f', '{d1.yaml}']],
    args: ['apply', '-f', '{d2.yaml}'],
  },
  { id: 'get-sa', args: ['get', 'sa'] },
  { id: 'get-sa-jsonpath', args: ['get', 'sa', 'default', '-o', 'jsonpath={.metadata.name}'] },
  { id: 'get-sa-missing', args: ['get', 'sa', 'nope'] },
  { id: 'get-sa-yaml', args: ['get', 'sa', 'app', '-o', 'yaml'] },
  { id: 'get-pods', args: ['get', 'pods'] },
  { id: 'get-pods-all-namespaces', args: ['get', 'pods', '-A'] },
  { id: 'get-pods-watch', timeoutMs: 2500, args: ['get', 'pods', '-w'] },
  {
    id: 'get-pods-watch-server-closes',
    opts: { watchEndMs: 400 },
    timeoutMs: 4000,
    note: 'the fake ends each watch response 0.7 s after it starts: does kubectl re-watch or exit?',
    args: ['get', 'pods', '-w'],
  },
  {
    id: 'create-token-protobuf-415',
    opts: { rejectProtobuf: true },
    note: 'server answers 415 to protobuf request bodies: no JSON retry in client-go 1.32',
    args: ['create', 'token', 'app'],
  },
  {
    id: 'get-sa-no-version',
    opts: { noVersion: true },
    note: '/version answers 404: what the gcloud dispatcher does',
    args: ['get', 'sa'],
  },
  {
    id: 'get-sa-server-minor-30',
    opts: { serverMinor: '30' },
    note: '/version says 1.30: which kubectl the dispatcher runs',
    args: ['get', 'sa'],
  },
  { id: 'describe-serviceaccount', args: ['describe', 'serviceaccount', 'app'] },
  { id: 'describe-pod', args: ['describe', 'pod', 'app-0'] },
  {
    id: 'annotate-serviceaccount',
    args: [
      'annotate',
      'serviceaccount',
      'app',
      'eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/other',
      '--overwrite',
    ],
  },
  {
    id: 'annotate-serviceaccount-new-key',
    args: ['annotate', 'serviceaccount', 'default', 'eks.amazonaws.com/audience=sts.amazonaws.com'],
  },
  { id: 'delete-sa', args: ['delete', 'sa', 'app'] },
  { id: 'create-token', args: ['create', 'token', 'app'] },
  {
    id: 'create-token-audience-duration',
    args: ['create', 'token', 'app', '--audience', 'sts.amazonaws.com', '--duration', '1h'],
  },
  { id: 'create-namespace', args: ['create', 'namespace', 'x'] },
  { id: 'get-namespaces', args: ['get', 'ns'] },
]

function runKubectl(args, kubeconfig, cacheDir, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
      env: { ...process.env, HOME: path.dirname(kubeconfig), KUBECONFIG: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const t = setTimeout(() => child.kill('SIGINT'), timeoutMs ?? 20000)
    child.on('close', (code, signal) => {
      clearTimeout(t)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

async function record(only) {
  const srv = await startServer(0)
  const port = srv.address().port
  fs.mkdirSync(OUT, { recursive: true })
  const kv = spawnSync(KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8' })
  const clientVersion = JSON.parse(kv.stdout).clientVersion.gitVersion
  for (const sc of SCENARIOS) {
    if (only && sc.id !== only) continue
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-kubectl-'))
    const kubeconfig = path.join(dir, 'config')
    fs.writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:${port}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    namespace: default\n    user: fake\ncurrent-context: fake\nusers:\n- name: fake\n  user: {}\n`,
    )
    for (const f of sc.files ?? []) fs.writeFileSync(path.join(dir, f.name), f.text)
    const sub = (a) => a.map((x) => x.replace(/\{([^}]+\.yaml)\}/g, (_, n) => path.join(dir, n)))
    resetStore()
    OPTS = { discovery: 'aggregated', openapi: 'v3', ...sc.opts }
    for (const pre of sc.pre ?? [])
      await runKubectl(sub(pre), kubeconfig, path.join(dir, 'cache'), 20000)
    LOG = []
    const result = await runKubectl(
      sub(sc.args),
      kubeconfig,
      path.join(dir, sc.sameCache ? 'cache' : 'cache-fresh'),
      sc.timeoutMs,
    )
    await new Promise((r) => setTimeout(r, 100))
    for (const w of watchers)
      try {
        w.res.end()
      } catch {
        /* */
      }
    const norm = (s) => s.split(dir).join('<dir>').split(String(port)).join('<port>')
    const doc = {
      command: ['kubectl', ...sc.args.map((a) => a.replace(/\{([^}]+)\}/g, '$1'))].join(' '),
      note: sc.note ?? null,
      kubectlVersion: clientVersion,
      server: { discovery: OPTS.discovery, openapi: OPTS.openapi },
      files: Object.fromEntries((sc.files ?? []).map((f) => [f.name, f.text])),
      setup: (sc.pre ?? []).map((a) =>
        ['kubectl', ...a.map((x) => x.replace(/\{([^}]+)\}/g, '$1'))].join(' '),
      ),
      freshCacheDir: !sc.sameCache,
      exit: { code: result.code, signal: result.signal },
      stdout: norm(result.stdout),
      stderr: norm(result.stderr),
      requests: LOG.map((e) => ({
        ...e,
        userAgent: e.userAgent?.replace(/^kubectl\/\S+ \([^)]*\) kubernetes\/\w+$/, (m) => m),
      })),
    }
    fs.writeFileSync(path.join(OUT, `${sc.id}.json`), `${JSON.stringify(doc, null, 2)}\n`)
    process.stderr.write(`${sc.id}: exit ${result.code ?? result.signal}, ${LOG.length} requests\n`)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  srv.close()
  srv.closeAllConnections?.()
}

const argv = process.argv.slice(2)
if (argv[0] === '--serve') {
  resetStore()
  OPTS = { discovery: process.env.DISCOVERY ?? 'aggregated', openapi: process.env.OPENAPI ?? 'v3' }
  process.env.VERBOSE = '1'
  const srv = await startServer(Number(argv[1] ?? 8080))
  process.stderr.write(`fake API server on http://127.0.0.1:${srv.address().port}\n`)
} else {
  await record(argv[0] === '--only' ? argv[1] : undefined)
}
