/**
 * The admission server over real HTTPS on 127.0.0.1, one test per wire behaviour the
 * brief and the reference define. It is long (over 400 lines) because each case needs its
 * own server and request, and splitting it would scatter the shared `withServer` harness
 * and response types across files for no reader's benefit.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { request as httpRequest } from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { plainPython, runProcess } from '../../helpers/tools.js'
import { silentLogger, systemClock } from '../../../src/core/index.js'
import {
  applyJsonPatch,
  createMutationConfig,
  createWebhookApp,
  createWebhookMetrics,
  startMetricsServer,
  startWebhookServer,
  staticServiceAccountSource,
  type JsonPatchOperation,
  type Pod,
  type ServiceAccountSource,
} from '../../../src/webhook/index.js'
import {
  deferred,
  pod,
  review,
  ROLE_ARN,
  send,
  serviceAccount,
  tlsFixture,
  type TlsFixture,
} from './helpers.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

async function withServer(
  t: { after: (fn: () => unknown) => void },
  o: {
    source?: ServiceAccountSource
    maxBodyBytes?: number
    region?: string
  } = {},
): Promise<{
  origin: string
  tls: TlsFixture
  app: ReturnType<typeof createWebhookApp>
  close: () => Promise<void>
}> {
  const tls = tlsFixture()
  const app = createWebhookApp({
    config: createMutationConfig({ defaultRegion: o.region ?? 'us-west-2' }),
    serviceAccounts:
      o.source ??
      staticServiceAccountSource([
        serviceAccount('default', 'default', { 'eks.amazonaws.com/role-arn': ROLE_ARN }),
        serviceAccount('default', 'plain'),
      ]),
    clock: systemClock,
    logger: silentLogger(),
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
  })
  const server = await startWebhookServer({
    app,
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: tls.certFile, keyFile: tls.keyFile },
  })
  t.after(async () => {
    await server.close()
    tls.cleanup()
  })
  return { origin: server.origin, tls, app, close: () => server.close() }
}

interface ReviewResponse {
  apiVersion: string
  kind: string
  response: {
    uid: string
    allowed: boolean
    patchType?: string
    patch?: string
    warnings?: string[]
    [k: string]: unknown
  }
}

function decodePatch(r: ReviewResponse): JsonPatchOperation[] {
  assert.equal(r.response.patchType, 'JSONPatch')
  return JSON.parse(
    Buffer.from(r.response.patch ?? '', 'base64').toString('utf8'),
  ) as JsonPatchOperation[]
}

function envOf(p: Pod, container = 0): Record<string, string | undefined> {
  const c = p.spec?.containers?.[container]
  return Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]))
}

for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
  test(`${apiVersion}: a pod whose ServiceAccount has a role is mutated; apiVersion, kind and uid echoed`, async (t) => {
    const { origin, tls } = await withServer(t)
    const input = pod()
    const r = await send(origin, {
      ca: tls.ca.certPem,
      headers: JSON_HEADERS,
      body: JSON.stringify(review(input, { apiVersion, uid: 'uid-123' })),
    })
    assert.equal(r.status, 200)
    assert.match(String(r.headers['content-type']), /^application\/json/)
    const body = JSON.parse(r.body) as ReviewResponse
    assert.equal(body.apiVersion, apiVersion)
    assert.equal(body.kind, 'AdmissionReview')
    assert.equal(body.response.uid, 'uid-123')
    assert.equal(body.response.allowed, true)
    assert.equal(body.response.warnings, undefined)
    const mutated = applyJsonPatch(input, decodePatch(body)) as Pod
    assert.deepEqual(envOf(mutated), {
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_REGION: 'us-west-2',
      AWS_ROLE_ARN: ROLE_ARN,
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
    })
    assert.deepEqual(mutated.spec?.containers?.[0]?.volumeMounts, [
      {
        name: 'aws-iam-token',
        readOnly: true,
        mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
      },
    ])
    assert.deepEqual(
      mutated.spec.volumes!.map((v) => v.name),
      ['aws-iam-token'],
    )
    // Everything else of the pod is as it was.
    assert.equal(mutated.spec.containers[0]['image'], 'amazonlinux')
    assert.deepEqual(mutated.metadata, input.metadata)
  })
}

test('no-op: no patch and no patchType for a ServiceAccount without a role, or a pod already mutated', async (t) => {
  const { origin, tls } = await withServer(t)
  const plain = pod()
  plain.spec!.serviceAccountName = 'plain'
  const r1 = await send(origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: JSON.stringify(review(plain)),
  })
  const b1 = JSON.parse(r1.body) as ReviewResponse
  assert.deepEqual(Object.keys(b1.response).sort(), ['allowed', 'uid'])
  assert.equal(b1.response.allowed, true)

  const first = JSON.parse(
    (
      await send(origin, {
        ca: tls.ca.certPem,
        headers: JSON_HEADERS,
        body: JSON.stringify(review(pod())),
      })
    ).body,
  ) as ReviewResponse
  const mutated = applyJsonPatch(pod(), decodePatch(first))
  const again = JSON.parse(
    (
      await send(origin, {
        ca: tls.ca.certPem,
        headers: JSON_HEADERS,
        body: JSON.stringify(review(mutated)),
      })
    ).body,
  ) as ReviewResponse
  assert.deepEqual(Object.keys(again.response).sort(), ['allowed', 'uid'])
})

test('a ServiceAccount that does not exist: allowed, no patch, a warning', async (t) => {
  const { origin, tls, app } = await withServer(t)
  const p = pod()
  p.spec!.serviceAccountName = 'ghost'
  const r = await send(origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: JSON.stringify(review(p)),
  })
  const b = JSON.parse(r.body) as ReviewResponse
  assert.equal(b.response.allowed, true)
  assert.equal(b.response.patch, undefined)
  assert.equal(b.response.warnings!.length, 1)
  assert.match(b.response.warnings![0]!, /ghost/)
  assert.match(await app.metrics.render(), /^pod_identity_webhook_missing_sa_count 1$/m)
})

test('malformed JSON is a 400 with a clear message', async (t) => {
  const { origin, tls } = await withServer(t)
  const r = await send(origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: '{"apiVersion":',
  })
  assert.equal(r.status, 400)
  assert.match(String(r.headers['content-type']), /^text\/plain/)
  assert.equal(r.body, 'malformed AdmissionReview: the body is not valid JSON\n')
})

test('a review without request.uid, with an unknown apiVersion, or not a review is a 400 naming why', async (t) => {
  const { origin, tls } = await withServer(t)
  const cases: [unknown, RegExp][] = [
    [review(pod(), { uid: null }), /request\.uid is missing/],
    [review(pod(), { uid: '' }), /request\.uid is missing/],
    [review(pod(), { apiVersion: 'admission.k8s.io/v2' }), /apiVersion must be/],
    [{ ...review(pod()), kind: 'Pod' }, /kind must be AdmissionReview/],
    [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /has no request/],
    [[1, 2], /not a JSON object/],
  ]
  for (const [body, why] of cases) {
    const r = await send(origin, {
      ca: tls.ca.certPem,
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    })
    assert.equal(r.status, 400, r.body)
    assert.match(r.body, /^malformed AdmissionReview: /)
    assert.match(r.body, why)
  }
})

test('a wrong or missing Content-Type is a 415; application/json with a charset is fine', async (t) => {
  const { origin, tls } = await withServer(t)
  const body = JSON.stringify(review(pod()))
  for (const headers of [{ 'content-type': 'text/plain' }, {}]) {
    const r = await send(origin, { ca: tls.ca.certPem, headers, body })
    assert.equal(r.status, 415)
    assert.match(r.body, /application\/json/)
  }
  const ok = await send(origin, {
    ca: tls.ca.certPem,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body,
  })
  assert.equal(ok.status, 200)
})

test('an oversized body is a 413, whether declared by Content-Length or streamed chunked', async (t) => {
  const { origin, tls } = await withServer(t, { maxBodyBytes: 4096 })
  const big = JSON.stringify(review({ ...pod(), padding: 'x'.repeat(10_000) }))
  const declared = await send(origin, { ca: tls.ca.certPem, headers: JSON_HEADERS, body: big })
  assert.equal(declared.status, 413)
  assert.match(declared.body, /larger than 4096 bytes/)
  const chunked = await send(origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: big,
    chunked: true,
  })
  assert.equal(chunked.status, 413)
  // A body just under the limit is served.
  const small = JSON.stringify(review(pod()))
  assert.ok(small.length < 4096)
  const ok = await send(origin, { ca: tls.ca.certPem, headers: JSON_HEADERS, body: small })
  assert.equal(ok.status, 200)
})

test('/healthz says ok; /readyz is 503 until the ServiceAccount source is ready', async (t) => {
  let ready = false
  const source: ServiceAccountSource = { get: () => undefined, ready: () => ready }
  const { origin, tls } = await withServer(t, { source })
  const health = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/healthz' })
  assert.equal(health.status, 200)
  assert.equal(health.body, 'ok')
  const before = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/readyz' })
  assert.equal(before.status, 503)
  assert.match(before.body, /not synced/)
  ready = true
  const after = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/readyz' })
  assert.equal(after.status, 200)
  assert.equal(after.body, 'ok')
  const missing = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/nope' })
  assert.equal(missing.status, 404)
  const wrongMethod = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/mutate' })
  assert.equal(wrongMethod.status, 405)
})

test('an asynchronous source is awaited; the pod namespace comes from the request when the pod has none', async (t) => {
  const asked: string[] = []
  const source: ServiceAccountSource = {
    get: (ns, name) => {
      asked.push(`${ns}/${name}`)
      return Promise.resolve(serviceAccount(ns, name, { 'eks.amazonaws.com/role-arn': ROLE_ARN }))
    },
    ready: () => true,
  }
  const { origin, tls } = await withServer(t, { source })
  const p = pod()
  delete p.metadata!.namespace
  p.spec!.serviceAccountName = 'app'
  const r = await send(origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: JSON.stringify(review(p, { namespace: 'shop' })),
  })
  const b = JSON.parse(r.body) as ReviewResponse
  assert.deepEqual(asked, ['shop/app'])
  const mutated = applyJsonPatch(p, decodePatch(b)) as Pod
  assert.equal(envOf(mutated)['AWS_ROLE_ARN'], ROLE_ARN)
  assert.equal(mutated.metadata?.namespace, undefined, 'the patch does not write the namespace')
})

test('a source that throws or rejects counts as a missing ServiceAccount, never a crash', async (t) => {
  let mode: 'throw' | 'reject' = 'throw'
  const source: ServiceAccountSource = {
    get: () => {
      if (mode === 'throw') throw new Error('boom')
      return Promise.reject(new Error('boom'))
    },
    ready: () => true,
  }
  const { origin, tls } = await withServer(t, { source })
  for (const m of ['throw', 'reject'] as const) {
    mode = m
    const r = await send(origin, {
      ca: tls.ca.certPem,
      headers: JSON_HEADERS,
      body: JSON.stringify(review(pod())),
    })
    assert.equal(r.status, 200)
    const b = JSON.parse(r.body) as ReviewResponse
    assert.equal(b.response.allowed, true)
    assert.equal(b.response.patch, undefined)
  }
})

test('UPDATE reviews and non-pod kinds are allowed untouched; a pod of the wrong shape gets a warning', async (t) => {
  const { origin, tls, app } = await withServer(t)
  const update = JSON.parse(
    (
      await send(origin, {
        ca: tls.ca.certPem,
        headers: JSON_HEADERS,
        body: JSON.stringify(review(pod(), { operation: 'UPDATE' })),
      })
    ).body,
  ) as ReviewResponse
  assert.deepEqual(Object.keys(update.response).sort(), ['allowed', 'uid'])
  const bad = pod()
  ;(bad.spec!.containers![0] as Record<string, unknown>)['env'] = 'not a list'
  const r = await send(origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: JSON.stringify(review(bad)),
  })
  assert.equal(r.status, 200)
  const b = JSON.parse(r.body) as ReviewResponse
  assert.equal(b.response.allowed, true)
  assert.equal(b.response.patch, undefined)
  assert.match(b.response.warnings?.[0] ?? '', /not changed.*env/)
  const text = await app.metrics.render()
  assert.match(text, /^irsa_webhook_mutations_total\{outcome="skipped"\} 1$/m)
  assert.match(text, /^irsa_webhook_mutations_total\{outcome="invalid-pod"\} 1$/m)
})

function httpGet(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

test('/metrics on its own plain-HTTP port has the reference names and irsa’s', async (t) => {
  const metrics = createWebhookMetrics()
  const tls = tlsFixture()
  const app = createWebhookApp({
    config: createMutationConfig(),
    serviceAccounts: staticServiceAccountSource([
      serviceAccount('default', 'default', { 'eks.amazonaws.com/role-arn': ROLE_ARN }),
    ]),
    clock: systemClock,
    logger: silentLogger(),
    metrics,
  })
  const server = await startWebhookServer({
    app,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: tls.pair.certPem, key: tls.pair.keyPem },
  })
  const metricsServer = await startMetricsServer({ metrics, host: '127.0.0.1', port: 0 })
  t.after(async () => {
    await server.close()
    await metricsServer.close()
    tls.cleanup()
  })
  await send(server.origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: JSON.stringify(review(pod())),
  })
  await send(server.origin, { ca: tls.ca.certPem, headers: JSON_HEADERS, body: '{' })
  const r = await httpGet(`${metricsServer.origin}/metrics`)
  assert.equal(r.status, 200)
  assert.match(r.type, /^text\/plain/)
  for (const line of [
    /^http_request_count\{verb="POST",path="\/mutate",code="200"\} 1$/m,
    /^http_request_count\{verb="POST",path="\/mutate",code="400"\} 1$/m,
    /^http_request_latencies_bucket\{le="125000",verb="POST",path="\/mutate"\} 2$/m,
    /^http_request_latencies_bucket\{le="8000000",verb="POST",path="\/mutate"\} 2$/m,
    /^pod_identity_webhook_pod_count\{method="sts_web_identity"\} 1$/m,
    /^pod_identity_webhook_pod_count\{method="container_credentials"\} 0$/m,
    /^pod_identity_webhook_missing_sa_count 0$/m,
    /^pod_identity_webhook_used 1$/m,
    /^irsa_webhook_mutations_total\{outcome="mutated"\} 1$/m,
    /^irsa_webhook_admission_duration_seconds_count 1$/m,
  ])
    assert.match(r.body, line)
  assert.equal((await httpGet(`${metricsServer.origin}/other`)).status, 404)
  // Another app has its own registry: nothing leaks between them.
  assert.match(await createWebhookMetrics().render(), /^pod_identity_webhook_used 0$/m)
})

test('graceful shutdown: no new connections, the in-flight review finishes, then close resolves', async (t) => {
  const gate = deferred<undefined>()
  const asked = deferred<undefined>()
  const source: ServiceAccountSource = {
    get: async (ns, name) => {
      asked.resolve(undefined)
      await gate.promise
      return serviceAccount(ns, name, { 'eks.amazonaws.com/role-arn': ROLE_ARN })
    },
    ready: () => true,
  }
  const { origin, tls, close } = await withServer(t, { source })
  const inFlight = send(origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: JSON.stringify(review(pod())),
  })
  await asked.promise
  let closed = false
  const closing = close().then(() => {
    closed = true
  })
  const port = Number(new URL(origin).port)
  const refused = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => {
      s.destroy()
      resolve('connected')
    })
    s.on('error', (e: NodeJS.ErrnoException) => {
      resolve(e.code ?? 'error')
    })
  })
  assert.equal(refused, 'ECONNREFUSED')
  assert.equal(closed, false, 'close waits for the in-flight request')
  gate.resolve(undefined)
  const r = await inFlight
  assert.equal(r.status, 200)
  assert.equal(r.headers['connection'], 'close')
  assert.equal((JSON.parse(r.body) as ReviewResponse).response.patchType, 'JSONPatch')
  await closing
  assert.equal(closed, true)
})

test('shutdown deadline: a review that never finishes is cut after shutdownTimeoutMs', async (t) => {
  const tls = tlsFixture()
  t.after(() => {
    tls.cleanup()
  })
  const asked = deferred<undefined>()
  const app = createWebhookApp({
    config: createMutationConfig(),
    serviceAccounts: {
      get: () => {
        asked.resolve(undefined)
        return new Promise(() => undefined)
      },
      ready: () => true,
    },
    clock: systemClock,
    logger: silentLogger(),
  })
  const server = await startWebhookServer({
    app,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: tls.pair.certPem, key: tls.pair.keyPem },
    shutdownTimeoutMs: 50,
  })
  const stuck = send(server.origin, {
    ca: tls.ca.certPem,
    headers: JSON_HEADERS,
    body: JSON.stringify(review(pod())),
  })
  await asked.promise
  await server.close()
  await assert.rejects(stuck, /socket hang up|ECONNRESET/)
})

test('plain HTTP or garbage on the TLS port does not disturb the server', async (t) => {
  const { origin, tls } = await withServer(t)
  const port = Number(new URL(origin).port)
  await new Promise<void>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.end('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001garbage')
    })
    s.on('error', () => {
      resolve()
    })
    s.on('close', () => {
      resolve()
    })
    s.resume()
  })
  const r = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/healthz' })
  assert.equal(r.status, 200)
})

test('Python’s urllib over TLS reads the 413 of an oversized review, no EOF (regression)', async (t) => {
  const oracle = plainPython()
  if (oracle.skip !== false) {
    t.skip(oracle.skip)
    return
  }
  const { origin, tls } = await withServer(t, { maxBodyBytes: 4096 })
  const caFile = join(tls.dir, 'ca.pem')
  writeFileSync(caFile, tls.ca.certPem)
  const script = [
    'import ssl, sys, urllib.request, urllib.error',
    'ctx = ssl.create_default_context(cafile=sys.argv[2])',
    "req = urllib.request.Request(sys.argv[1], data=b'x' * 8000000, method='POST',",
    "    headers={'Content-Type': 'application/json'})",
    'try:',
    '    urllib.request.urlopen(req, context=ctx)',
    "    print('no error')",
    'except urllib.error.HTTPError as e:',
    '    print(e.code)',
  ].join('\n')
  for (let i = 0; i < 3; i++) {
    const r = await runProcess('python3', ['-c', script, `${origin}/mutate`, caFile])
    assert.equal(r.stdout.trim(), '413', r.stderr)
  }
})
