/**
 * The pod identity webhook inside `irsa up`: served over HTTPS with a certificate from the
 * stack's CA, reading the `local` cluster's ServiceAccount registry (what `irsa apply`
 * writes) with the same configuration `irsa apply` and `irsa exec` use; its port is saved
 * and reused on restart.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger, systemClock } from '../../../src/core/index.js'
import { applyManifests, localMutationConfig, parseManifests } from '../../../src/local/index.js'
import { startStack, type Stack } from '../../../src/stack/index.js'
import { applyJsonPatch, type JsonPatchOperation } from '../../../src/webhook/index.js'

interface Answer {
  status: number
  body: string
}

function post(url: string, ca: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: 'default' },
  spec: { serviceAccountName: 'app-sa', containers: [{ name: 'main', image: 'busybox' }] },
}

function review(uid: string, pod: object): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'default',
      operation: 'CREATE',
      object: pod,
    },
  })
}

interface ReviewResponse {
  response: { uid: string; allowed: boolean; patch?: string; patchType?: string }
}

async function admit(stack: Stack, uid: string): Promise<ReviewResponse['response']> {
  const ca = readFileSync(stack.caFile, 'utf8')
  const a = await post(`${stack.webhookOrigin}/mutate`, ca, review(uid, POD))
  assert.equal(a.status, 200, a.body)
  return (JSON.parse(a.body) as ReviewResponse).response
}

test('irsa up serves the webhook over the local cluster registry, and keeps its port', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-stack-webhook-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const opts = { dataDir: dir, clock: systemClock, logger: silentLogger() }
  let stack = await startStack({ ...opts, awsPort: 0, oidcPort: 0, webhookPort: 0 })
  let closed = false
  t.after(async () => {
    if (!closed) await stack.close()
  })
  assert.match(stack.webhookOrigin, /^https:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(stack.webhookCluster, 'local')
  assert.equal(stack.store.settings.get('stack.webhookPort'), String(stack.webhookPort))

  // No ServiceAccount yet: allowed, not mutated.
  const before = await admit(stack, 'uid-1')
  assert.equal(before.uid, 'uid-1')
  assert.equal(before.allowed, true)
  assert.equal(before.patch, undefined)

  // What `irsa apply` writes: a ServiceAccount naming a role.
  const cluster = stack.clusters().find((c) => c.name === 'local')
  assert.ok(cluster)
  const yaml = [
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    '  name: app-sa',
    '  namespace: default',
    '  annotations:',
    '    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app',
    '',
  ].join('\n')
  applyManifests(
    stack.store,
    cluster,
    parseManifests(yaml, { source: 'sa.yaml' }),
    localMutationConfig(stack.store.settings),
  )

  const after = await admit(stack, 'uid-2')
  assert.equal(after.allowed, true)
  assert.equal(after.patchType, 'JSONPatch')
  assert.ok(after.patch !== undefined)
  const ops = JSON.parse(Buffer.from(after.patch, 'base64').toString()) as JsonPatchOperation[]
  const pod = applyJsonPatch(structuredClone(POD), ops) as unknown as {
    spec: { containers: { env?: { name: string; value?: string }[] }[] }
  }
  const env = Object.fromEntries(
    (pod.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value ?? '']),
  )
  assert.equal(env['AWS_ROLE_ARN'], 'arn:aws:iam::111122223333:role/app')
  assert.equal(
    env['AWS_WEB_IDENTITY_TOKEN_FILE'],
    '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  )
  // The stack's region, as `irsa apply` and `irsa exec` inject it.
  assert.equal(env['AWS_REGION'], stack.region)

  const port = stack.webhookPort
  await stack.close()
  closed = true
  stack = await startStack(opts)
  closed = false
  assert.equal(stack.webhookPort, port, 'a restart reuses the saved webhook port')
  assert.equal((await admit(stack, 'uid-3')).patchType, 'JSONPatch')
})
