/**
 * E2E against the built `irsa up`, with @aws-sdk/client-s3:
 *
 * - `kill -9` during concurrent PUTs of objects with known content: after a restart on
 *   the same data directory every PUT that got a 200 is there byte for byte, any other
 *   key listed is the whole object that was sent (never part of one), no temp file
 *   remains and every data file is an object's.
 * - The S3 surface's secrets sentinel: signed, presigned and session-token requests,
 *   good and failing, and no secret access key, session token, signature or presigned
 *   query string in the stack's log.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam'
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import type { Keys } from '../unit/aws/signing.js'
import {
  fetchRaw,
  presignUrl,
  s3Error,
  sendS3,
  signHead,
  stackEnv,
  type RawS3Request,
  type StackEnv,
} from '../helpers/s3-e2e.js'
import { startUp, stopUp, tempDir, TEST_ACCOUNT_ID } from './up-process.js'

const BUCKET = 'durable-bucket'

function s3(env: StackEnv, keys: Keys = env.keys): S3Client {
  return new S3Client({
    region: env.region,
    endpoint: env.endpoint,
    forcePathStyle: true,
    credentials: keys,
    maxAttempts: 1,
  })
}

async function getBytes(client: S3Client, key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  assert.ok(out.Body !== undefined)
  return Buffer.from(await out.Body.transformToByteArray())
}

async function listKeys(client: S3Client): Promise<string[]> {
  const keys: string[] = []
  let token: string | undefined
  for (let page = 0; page < 50; page++) {
    const out = await client.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        ...(token !== undefined ? { ContinuationToken: token } : {}),
      }),
    )
    keys.push(...(out.Contents ?? []).map((o) => o.Key ?? ''))
    if (out.IsTruncated !== true) return keys
    token = out.NextContinuationToken
  }
  throw new Error('ListObjectsV2 did not end within 50 pages')
}

/** CreateBucket's input for the stack's region, as AWS wants it outside us-east-1. */
function bucketIn(env: StackEnv): ConstructorParameters<typeof CreateBucketCommand>[0] {
  return env.region === 'us-east-1'
    ? { Bucket: BUCKET }
    : {
        Bucket: BUCKET,
        CreateBucketConfiguration: {
          LocationConstraint: env.region as 'us-west-2',
        },
      }
}

const s3Dir = (dir: string, sub: string): string[] => readdirSync(join(dir, 's3', sub))

test('kill -9 during concurrent PUTs loses no acknowledged object and shows no partial one', async (t) => {
  const dir = join(tempDir(t, 'irsa-s3-durable-'), 'data')
  const up = await startUp(dir)
  t.after(() => stopUp(up, 'SIGKILL'))
  const env = stackEnv(dir)
  const client = s3(env)
  await client.send(new CreateBucketCommand(bucketIn(env)))

  const sent = new Map<string, Buffer>()
  const acked = new Set<string>()
  const KILL_AFTER = 40
  let next = 0
  let killed = false
  const worker = async (): Promise<void> => {
    while (!killed) {
      const i = next++
      const key = `obj/${String(i).padStart(4, '0')}`
      // 64 KiB to ~1.3 MiB: big enough that some PUTs are mid-body at the kill.
      const body = randomBytes(65_536 + (i % 7) * 200_000)
      sent.set(key, body)
      try {
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }))
      } catch {
        return
      }
      acked.add(key)
      if (acked.size === KILL_AFTER) {
        killed = true
        up.child.kill('SIGKILL')
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, () => worker()))
  client.destroy()
  assert.equal((await up.exit).signal, 'SIGKILL')
  assert.ok(acked.size >= KILL_AFTER, `only ${acked.size} PUTs before the kill`)
  const unacked = [...sent.keys()].filter((k) => !acked.has(k))
  assert.ok(unacked.length > 0, 'some PUTs were in flight at the kill')

  const again = await startUp(dir, [], { freePorts: false })
  t.after(() => stopUp(again, 'SIGKILL'))
  assert.deepEqual(s3Dir(dir, 'tmp'), [], 'the restart swept every temp file')
  const swept = /"files":(\d+),"msg":"s3: removed files of unfinished writes"/.exec(again.stderr())
  t.diagnostic(
    `${acked.size} acknowledged, ${unacked.length} in flight at the kill, ${swept?.[1] ?? 0} files swept`,
  )
  const client2 = s3(stackEnv(dir))
  for (const key of acked)
    assert.ok((await getBytes(client2, key)).equals(sent.get(key) ?? Buffer.alloc(0)), key)
  const listed = await listKeys(client2)
  for (const key of acked) assert.ok(listed.includes(key), `acknowledged ${key} is not listed`)
  for (const key of listed.filter((k) => !acked.has(k))) {
    const body = sent.get(key)
    assert.ok(body !== undefined, `${key} was never sent`)
    assert.ok((await getBytes(client2, key)).equals(body), `${key} is visible but not whole`)
  }
  assert.equal(s3Dir(dir, 'data').length, listed.length, 'every data file is an object')
  t.diagnostic(`${listed.length - acked.size} unacknowledged PUTs were committed whole`)
  client2.destroy()
  assert.deepEqual(await stopUp(again), { code: 0, signal: null })
})

/** Everything secret of one request: what must never reach the log. */
function secretsOf(
  keys: Keys,
  head: { target: string; headers: Record<string, string> },
): string[] {
  const out = [keys.secretAccessKey]
  if (keys.sessionToken !== undefined) out.push(keys.sessionToken)
  const auth = head.headers['authorization']
  const sig = /Signature=([0-9a-f]{64})/.exec(auth ?? '')?.[1]
  if (sig !== undefined) out.push(sig, auth ?? '')
  return out
}

function presignedSecrets(url: string): string[] {
  const u = new URL(url)
  const out = [u.search.slice(1), u.searchParams.get('X-Amz-Signature') ?? '']
  const token = u.searchParams.get('X-Amz-Security-Token')
  if (token !== null) out.push(token, encodeURIComponent(token))
  return out
}

test('sentinel: no secret key, session token, signature or presigned query in the stack log', async (t) => {
  const dir = join(tempDir(t, 'irsa-s3-sentinel-'), 'data')
  const up = await startUp(dir)
  t.after(() => stopUp(up, 'SIGKILL'))
  const env = stackEnv(dir)
  const leaks: string[] = [env.keys.secretAccessKey]

  // A role the admin can assume, allowed all of S3: its session's keys and token.
  const sdk = { region: env.region, endpoint: env.endpoint, credentials: env.keys, maxAttempts: 1 }
  const iam = new IAMClient(sdk)
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  }
  await iam.send(
    new CreateRoleCommand({ RoleName: 's3-user', AssumeRolePolicyDocument: JSON.stringify(trust) }),
  )
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 's3-user',
      PolicyName: 's3',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
    }),
  )
  iam.destroy()
  const sts = new STSClient(sdk)
  const assumed = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/s3-user`,
      RoleSessionName: 'sentinel',
    }),
  )
  sts.destroy()
  const c = assumed.Credentials
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken)
  const session: Keys = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  }

  // Through the SDK: admin and session, good and failing.
  const admin = s3(env)
  await admin.send(new CreateBucketCommand(bucketIn(env)))
  await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a', Body: 'admin object' }))
  const asSession = s3(env, session)
  await asSession.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'b', Body: 'session object' }))
  assert.equal((await getBytes(asSession, 'a')).toString(), 'admin object')
  const wrongSecret = s3(env, { ...session, secretAccessKey: `${session.secretAccessKey}x` })
  await assert.rejects(getBytes(wrongSecret, 'a'), { name: 'SignatureDoesNotMatch' })
  const badToken = s3(env, { ...session, sessionToken: `${session.sessionToken ?? ''}AAAA` })
  await assert.rejects(getBytes(badToken, 'a'), { name: 'InvalidToken' })
  for (const cl of [admin, asSession, wrongSecret, badToken]) cl.destroy()
  leaks.push(`${session.secretAccessKey}x`, `${session.sessionToken ?? ''}AAAA`)

  // Raw header-signed requests, whose signatures are known here.
  const raw = (keys: Keys, r: Partial<RawS3Request> = {}): RawS3Request & { keys: Keys } => ({
    origin: env.endpoint,
    region: env.region,
    method: 'GET',
    path: `/${BUCKET}/a`,
    keys,
    ...r,
  })
  for (const r of [
    raw(env.keys),
    raw(session),
    raw(session, { path: `/${BUCKET}/missing` }),
    raw(session, { method: 'PUT', path: `/${BUCKET}/c`, body: 'c', payloadHash: '0'.repeat(64) }),
    raw({ accessKeyId: env.keys.accessKeyId, secretAccessKey: 'w'.repeat(40) }),
  ]) {
    leaks.push(...secretsOf(r.keys, await signHead(r)))
    const res = await sendS3(r)
    assert.ok(res.status === 200 || s3Error(res.body) !== undefined, res.body)
  }

  // Presigned URLs: admin, session (X-Amz-Security-Token), expired, tampered.
  const good = await presignUrl(raw(env.keys), 300)
  const withToken = await presignUrl(raw(session), 300)
  const expired = await presignUrl(raw(session), 1, new Date(Date.now() - 60_000))
  const tampered = good.replace(/X-Amz-Signature=[0-9a-f]/, (m) =>
    m.endsWith('0') ? `${m.slice(0, -1)}1` : `${m.slice(0, -1)}0`,
  )
  assert.equal((await fetchRaw(good)).body, 'admin object')
  assert.equal((await fetchRaw(withToken)).body, 'admin object')
  assert.equal(s3Error((await fetchRaw(expired)).body)?.code, 'AccessDenied')
  assert.equal(s3Error((await fetchRaw(tampered)).body)?.code, 'SignatureDoesNotMatch')
  for (const url of [good, withToken, expired, tampered]) leaks.push(...presignedSecrets(url))

  assert.deepEqual(await stopUp(up), { code: 0, signal: null })
  const log = up.stderr()
  assert.ok(log.includes('"msg":"s3 request"'), 'the stack logged its S3 requests at debug')
  assert.ok(log.includes('SignatureDoesNotMatch'), 'and the failing ones')
  for (const secret of leaks) {
    assert.ok(secret.length >= 16, `too short to check: ${secret.length}`)
    assert.equal(log.includes(secret), false, `a secret (${secret.slice(0, 6)}…) is in the log`)
  }
})
