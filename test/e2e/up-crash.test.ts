/**
 * E2E: `kill -9` of `irsa up` during a stream of IAM writes (CreatePolicy through
 * @aws-sdk/client-iam, one at a time, each acknowledged name recorded). After a restart
 * on the same data directory every acknowledged policy is there, at most the one write
 * in flight is added, and the database checks clean (`store.check()` empty).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { CreatePolicyCommand, IAMClient, ListPoliciesCommand } from '@aws-sdk/client-iam'
import { systemClock } from '../../src/core/index.js'
import { openStore } from '../../src/store/index.js'
import {
  assertNoSecretInLogs,
  secrets,
  startUp,
  stopUp,
  tempDir,
  type UpProcess,
} from './up-process.js'

const DOC = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
})

function adminClient(up: UpProcess): IAMClient {
  const r = spawnSync(
    'sh',
    [
      '-c',
      `. "${join(up.dataDir, 'env')}"; printf '%s\\n%s' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"`,
    ],
    {
      encoding: 'utf8',
    },
  )
  const [accessKeyId = '', secretAccessKey = ''] = r.stdout.split('\n')
  secrets.add(secretAccessKey)
  return new IAMClient({
    region: 'us-east-1',
    endpoint: up.awsEndpoint,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  })
}

async function localPolicies(iam: IAMClient): Promise<string[]> {
  const names: string[] = []
  let marker: string | undefined
  for (let page = 0; page < 100; page++) {
    const out = await iam.send(
      new ListPoliciesCommand({
        Scope: 'Local',
        MaxItems: 100,
        ...(marker ? { Marker: marker } : {}),
      }),
    )
    names.push(...(out.Policies ?? []).map((p) => p.PolicyName ?? ''))
    if (out.IsTruncated !== true) return names
    marker = out.Marker
  }
  throw new Error('ListPolicies did not end within 100 pages')
}

test('kill -9 during IAM writes loses no acknowledged write; the database opens clean', async (t) => {
  const dir = join(tempDir(t), 'data')
  const up = await startUp(dir)
  t.after(() => stopUp(up, 'SIGKILL'))
  const iam = adminClient(up)
  const acked: string[] = []
  const KILL_AFTER = 60
  let inFlight: string | undefined
  for (let i = 0; i < 500; i++) {
    const name = `crash-${String(i).padStart(4, '0')}`
    const sent = iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: DOC }))
    if (acked.length === KILL_AFTER) {
      // Kill while this write is on its way: the server may or may not have committed it.
      inFlight = name
      await tick()
      up.child.kill('SIGKILL')
    }
    try {
      await sent
      acked.push(name)
    } catch {
      break
    }
    if (inFlight !== undefined) break
  }
  iam.destroy()
  const exit = await up.exit
  assert.equal(exit.signal, 'SIGKILL')
  assert.ok(acked.length >= KILL_AFTER, `only ${acked.length} writes before the kill`)

  const again = await startUp(dir, [], { freePorts: false })
  t.after(() => stopUp(again, 'SIGKILL'))
  const iam2 = adminClient(again)
  const found = await localPolicies(iam2)
  iam2.destroy()
  for (const name of acked) assert.ok(found.includes(name), `acknowledged ${name} is lost`)
  const extra = found.filter((n) => !acked.includes(n))
  assert.ok(
    extra.every((n) => n === inFlight),
    `unexpected policies: ${extra.join(', ')}`,
  )
  assert.deepEqual(await stopUp(again), { code: 0, signal: null })

  const store = openStore({ dir, clock: systemClock })
  try {
    assert.deepEqual(store.check(), [])
    assert.equal(store.policies.count('111122223333'), found.length)
  } finally {
    store.close()
  }
})

test('sentinel: the admin secret key never reaches the stack log', () => {
  assertNoSecretInLogs()
})
