import { test } from 'node:test'
import assert from 'node:assert/strict'
import { silentLogger, systemClock } from '../../../src/core/index.js'
import {
  applyJsonPatch,
  createMutationConfig,
  createWebhookApp,
  DEFAULT_MAX_PATCHED_POD_BYTES,
  mutatePod,
  parseJsonPatch,
  patchedPodBytesBound,
  staticServiceAccountSource,
} from '../../../src/webhook/index.js'
import type { JsonPatchOperation, Pod } from '../../../src/webhook/index.js'
import { review, ROLE_ARN, serviceAccount } from './helpers.js'

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v))
const sa = serviceAccount('default', 'default', { 'eks.amazonaws.com/role-arn': ROLE_ARN })
const config = createMutationConfig({ defaultRegion: 'eu-west-1' })
const appWith = (maxPatchedPodBytes?: number) =>
  createWebhookApp({
    config,
    serviceAccounts: staticServiceAccountSource([sa]),
    clock: systemClock,
    logger: silentLogger(),
    ...(maxPatchedPodBytes !== undefined ? { maxPatchedPodBytes } : {}),
  })

/** The pod: `n` minimal containers of a ServiceAccount with a role. */
function wide(n: number): Pod {
  const containers = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'x' }))
  return { metadata: { name: 'wide', namespace: 'default' }, spec: { containers } }
}

interface Answer {
  allowed: boolean
  patch?: string
  result?: { status: string; code: number; reason: string; message: string }
}

async function answer(
  app: ReturnType<typeof appWith>,
  p: Pod,
  apiVersion?: string,
): Promise<{ body: string; response: Answer }> {
  const a = await app.review(
    JSON.stringify(review(p, apiVersion === undefined ? {} : { apiVersion })),
    'application/json',
  )
  assert.equal(a.status, 200)
  return { body: a.body, response: (JSON.parse(a.body) as { response: Answer }).response }
}

function patchOf(response: Answer): JsonPatchOperation[] {
  assert.ok(response.patch !== undefined)
  return parseJsonPatch(JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')))
}

test('the bound on the patched pod is an upper bound, and a tight one', () => {
  const pods: Pod[] = [
    wide(1),
    wide(7),
    {
      metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } },
      spec: {
        securityContext: {},
        volumes: [{ name: 'v', emptyDir: {} }],
        initContainers: [{ name: 'i', env: [{ name: 'A', value: 'é' }] }],
        containers: [
          { name: 'a', env: [], volumeMounts: [{ name: 'v', mountPath: '/v' }] },
          { name: 'b', env: [{ name: 'AWS_REGION', value: 'x' }] },
        ],
      },
    },
  ]
  for (const p of pods) {
    const { patch } = mutatePod(
      p,
      sa,
      createMutationConfig({ stsRegionalEndpoint: true, fsGroup: 1, defaultRegion: 'r' }),
    )
    assert.ok(patch.length > 0)
    const actual = bytes(applyJsonPatch(p, patch))
    const bound = patchedPodBytesBound(bytes(p), patch)
    assert.ok(bound >= actual, `${bound} >= ${actual}`)
    assert.ok(bound - actual <= 8 * patch.length, `${bound} - ${actual} <= 8 per operation`)
  }
  const big = mutatePod(wide(1000), sa, config).patch
  const stopped = patchedPodBytesBound(0, big, 10_000)
  assert.ok(stopped > 10_000 && stopped < 11_000, `stopped at ${stopped}`)
  assert.ok(patchedPodBytesBound(0, big) > 100_000)
  const doc = { a: [1] }
  assert.equal(patchedPodBytesBound(bytes(doc), [{ op: 'remove', path: '/a/0' }]), bytes(doc))
  assert.ok(
    patchedPodBytesBound(bytes(doc), [{ op: 'copy', from: '/a', path: '/b' }]) >=
      bytes(applyJsonPatch(doc, [{ op: 'copy', from: '/a', path: '/b' }])),
  )
})

test('a 60,000-container pod is denied in a few hundred bytes, not answered with a patch 20 times its request', async () => {
  const p = wide(60_000)
  const requestBytes = bytes(review(p))
  assert.ok(requestBytes < DEFAULT_MAX_PATCHED_POD_BYTES) // the API server would accept it

  const { body, response } = await answer(appWith(), p)
  assert.equal(response.allowed, false)
  assert.equal(response.patch, undefined)
  const result = response.result
  assert.ok(result !== undefined)
  assert.deepEqual(
    { status: result.status, code: result.code, reason: result.reason },
    { status: 'Failure', code: 413, reason: 'RequestEntityTooLarge' },
  )
  assert.match(
    result.message,
    /\(120001 patch operations\) it would be more than the 3145728 bytes/,
  )
  assert.ok(body.length <= 1024, `denial is ${body.length} bytes`)

  // Without the bound (the reference's behaviour: always allowed), the response is the
  // base64 of the patch and nothing more, and the patch is at most 1.3 times the bytes it
  // adds to the pod: one `add` of a whole list per container that has none.
  const unbounded = await answer(appWith(0), p)
  assert.equal(unbounded.response.allowed, true)
  const patch = patchOf(unbounded.response)
  assert.equal(patch.length, 1 + 2 * 60_000)
  const patchBytes = bytes(patch)
  assert.ok(unbounded.body.length <= Math.ceil(patchBytes / 3) * 4 + 256)
  const grown = patchedPodBytesBound(bytes(p), patch) - bytes(p)
  assert.ok(patchBytes <= 1.3 * grown, `patch ${patchBytes} vs ${grown} bytes added`)
})

test('below the bound the answer is the patch it always was; the denial speaks the request version', async () => {
  const small = wide(3)
  const plain = await answer(appWith(), small)
  assert.equal(plain.response.allowed, true)
  assert.deepEqual(patchOf(plain.response), mutatePod(small, sa, config).patch)

  // The bound is on the patched pod: a limit just above its size lets it through.
  const patched = bytes(applyJsonPatch(small, mutatePod(small, sa, config).patch))
  const loose = await answer(appWith(patched + 64), small)
  assert.deepEqual(loose.body, plain.body)
  const tight = await answer(appWith(patched - 1), small, 'admission.k8s.io/v1beta1')
  assert.equal(tight.response.allowed, false)
  assert.equal(
    (JSON.parse(tight.body) as { apiVersion: string }).apiVersion,
    'admission.k8s.io/v1beta1',
  )
})
