import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { silentLogger, systemClock } from '../../../src/core/index.js'
import {
  createMutationConfig,
  createWebhookApp,
  createWebhookMetrics,
  renderAdmissionResponse,
  staticServiceAccountSource,
} from '../../../src/webhook/index.js'
import { pod, review, ROLE_ARN, serviceAccount } from './helpers.js'

const app = createWebhookApp({
  config: createMutationConfig(),
  serviceAccounts: staticServiceAccountSource([
    serviceAccount('default', 'default', { 'eks.amazonaws.com/role-arn': ROLE_ARN }),
  ]),
  clock: systemClock,
  logger: silentLogger(),
})

test('the rendered response is the JSON it claims: patch only when there is one, warnings only when there are some', () => {
  const bare = renderAdmissionResponse('admission.k8s.io/v1', 'u"1', [], [])
  assert.deepEqual(JSON.parse(bare), {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: 'u"1', allowed: true },
  })
  const full = renderAdmissionResponse(
    'admission.k8s.io/v1beta1',
    'u2',
    [{ op: 'add', path: '/a', value: 'é' }],
    ['w "1"'],
  )
  const parsed = JSON.parse(full)
  assert.equal(parsed.apiVersion, 'admission.k8s.io/v1beta1')
  assert.equal(parsed.response.patchType, 'JSONPatch')
  assert.deepEqual(JSON.parse(Buffer.from(parsed.response.patch, 'base64').toString('utf8')), [
    { op: 'add', path: '/a', value: 'é' },
  ])
  assert.deepEqual(parsed.response.warnings, ['w "1"'])
})

test('any body is answered with 200, 400 or 415, never an exception or a 500', async () => {
  const validish = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string(),
    fc
      .record({
        uid: fc.oneof(fc.string(), fc.constant(null)),
        object: fc.oneof(fc.jsonValue(), fc.constant(pod())),
        operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE'),
      })
      .map((r) => JSON.stringify(review(r.object, { uid: r.uid, operation: r.operation }))),
    fc.jsonValue().map((spec) => JSON.stringify(review({ metadata: { name: 'x' }, spec }))),
  )
  await fc.assert(
    fc.asyncProperty(validish, async (body) => {
      const answer = await app.review(body, 'application/json')
      assert.ok([200, 400].includes(answer.status), `${answer.status} for ${body}`)
      if (answer.status === 200) {
        const r = JSON.parse(answer.body)
        assert.equal(r.response.allowed, true)
      }
    }),
    { numRuns: 500 },
  )
  assert.equal((await app.review('{}', 'text/html')).status, 415)
})

test('metrics: repeated scrapes do not count twice; each registry is its own', async () => {
  const m = createWebhookMetrics()
  m.observeRequest('POST', '/mutate', 200, 0.002)
  m.observeAdmission('mutated', 'irsa', 0.001)
  m.observeAdmission('mutated', 'pod-identity', 0.001)
  m.observeAdmission('no-identity', undefined, 0.001)
  m.missingServiceAccount()
  const first = await m.render()
  const second = await m.render()
  assert.equal(second, first)
  for (const line of [
    /^http_request_count\{verb="POST",path="\/mutate",code="200"\} 1$/m,
    /^http_request_latencies_sum\{verb="POST",path="\/mutate"\} 2000$/m,
    /^pod_identity_webhook_pod_count\{method="sts_web_identity"\} 1$/m,
    /^pod_identity_webhook_pod_count\{method="container_credentials"\} 1$/m,
    /^pod_identity_webhook_missing_sa_count 1$/m,
    /^pod_identity_webhook_used 1$/m,
    /^irsa_webhook_mutations_total\{outcome="mutated"\} 2$/m,
    /^irsa_webhook_mutations_total\{outcome="no-identity"\} 1$/m,
    /^irsa_webhook_mutations_total\{outcome="skipped"\} 0$/m,
    /^irsa_webhook_admission_duration_seconds_count 3$/m,
  ])
    assert.match(second, line)
  m.observeRequest('POST', '/mutate', 200, 0.001)
  m.observeAdmission('mutated', 'irsa', 0.001)
  const third = await m.render()
  assert.match(third, /^http_request_count\{verb="POST",path="\/mutate",code="200"\} 2$/m)
  assert.match(third, /^pod_identity_webhook_pod_count\{method="sts_web_identity"\} 2$/m)
  assert.match(third, /^irsa_webhook_mutations_total\{outcome="mutated"\} 3$/m)
  assert.match(
    await createWebhookMetrics().render(),
    /^irsa_webhook_mutations_total\{outcome="mutated"\} 0$/m,
  )
})
