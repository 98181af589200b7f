/**
 * S3 on `irsa up` as a user starts it (the built CLI in its own process, default flags,
 * ports 0), side by side with `moto_server`'s S3 in one run, with the shared load
 * generator (bench/_load.ts) in alternating rounds:
 *
 * - GetObject of a 4 KB object through a presigned URL made with a role session's
 *   credentials (from AssumeRoleWithWebIdentity with a token of the local cluster), so
 *   every request checks the session token, the signature and the role's policies;
 *   moto answers the same presigned GET (it checks none of them);
 * - PutObject of 1 MB through presigned PUTs (`UNSIGNED-PAYLOAD`), as the admin, over
 *   PUT_KEYS keys in turn (moto_server answers 500 to concurrent PUTs of one key).
 *
 * Targets (issue 15): GetObject rps ≥ 10× moto with p99 ≤ 1/5 of moto's; PutObject
 * 1 MB rps ≥ 5× moto. Bounded: every round is at most ROUND_REQUESTS requests or
 * ROUND_MS (a GET round of irsa's 6,000 takes about 1.3 s: rounds of 2,000, under half a
 * second each, read 5–10% low, their first requests after a moto round running on cold
 * caches); children are killed at the end, also on error.
 */
import { IAMClient } from '@aws-sdk/client-iam'
import { PutRolePolicyCommand } from '@aws-sdk/client-iam'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest as SmithyRequest } from '@smithy/types'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent as HttpAgent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Sha256, wireQuery } from '../test/unit/aws/signing.js'
import { startUp, stopUp } from '../test/e2e/up-process.js'
import { issuerThumbprint, serviceAccountToken, webIdentityRole } from './_chain.js'
import type { LoadSpec } from './_load.js'
import { compare, once, pairedRatio, readEnv, row, startMoto, stopAll, target } from './_procs.js'

const CONCURRENCY = 16
const ROUNDS = 6
/**
 * GETs each server answers before the measured rounds, for at most GET_WARMUP_MS: V8
 * optimises irsa's request path over its first ten thousand or so requests (its
 * optimising compiler runs on a background thread, which the load competes with on two
 * cores); after a warm-up of 300 the first round read 30–40% below the others.
 */
const GET_WARMUP = 20_000
const GET_WARMUP_MS = 8000
const ROUND_REQUESTS = Number(process.env['BENCH_S3_ROUND_REQUESTS'] ?? 6000)
const ROUND_MS = 3000
const PUT_ROUND_REQUESTS = 300
const PUT_KEYS = 64
const REGION = 'us-east-1'
const BUCKET = 'bench-bucket'
const SMALL = Buffer.alloc(4096, 'a')
const LARGE = Buffer.alloc(1024 * 1024, 'b')

interface Keys {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

/** A presigned URL for `method` on `/BUCKET/key` at `origin`, good for an hour. */
async function presign(origin: string, keys: Keys, method: string, key: string): Promise<URL> {
  const url = new URL(origin)
  const signer = new SignatureV4({
    credentials: keys,
    region: REGION,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  })
  const request = {
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: `/${BUCKET}/${key}`,
    query: {},
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  } as unknown as SmithyRequest
  const signed = await signer.presign(request, {
    expiresIn: 3600,
    unsignableHeaders: new Set(['x-amz-content-sha256']),
  })
  return new URL(`${origin}${signed.path}?${wireQuery(signed.query)}`)
}

/** A role whose sessions may read the bucket, and one session of it (the pod's path). */
async function roleSession(
  dir: string,
  dataDir: string,
  endpoint: string,
  issuer: string,
  admin: Keys,
): Promise<Keys> {
  const iam = new IAMClient({ endpoint, region: REGION, credentials: admin })
  const thumbprint = await issuerThumbprint(issuer, dataDir)
  const roleArn = await webIdentityRole(iam, {
    issuer,
    thumbprint,
    role: 'reader',
    serviceAccount: 'reader',
  })
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'reader',
      PolicyName: 'read-bucket',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
        ],
      }),
    }),
  )
  const token = await serviceAccountToken(dir, dataDir, 'reader', roleArn)
  const sts = new STSClient({ endpoint, region: REGION, credentials: admin })
  const out = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: 'bench',
      WebIdentityToken: token,
    }),
  )
  const c = out.Credentials
  if (
    c?.AccessKeyId === undefined ||
    c.SecretAccessKey === undefined ||
    c.SessionToken === undefined
  )
    throw new Error('AssumeRoleWithWebIdentity returned no credentials')
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  }
}

/** Creates the bucket and the 4 KB object through presigned requests; fails loudly. */
async function seed(agent: HttpAgent, origin: string, keys: Keys): Promise<void> {
  const made = await once(agent, await presign(origin, keys, 'PUT', ''), 'PUT', Buffer.alloc(0), {
    'content-length': 0,
  })
  if (made.status !== 200)
    throw new Error(`CreateBucket at ${origin}: ${made.status} ${made.body.toString()}`)
  const put = await once(agent, await presign(origin, keys, 'PUT', 'small'), 'PUT', SMALL, {
    'content-length': SMALL.length,
  })
  if (put.status !== 200)
    throw new Error(`PutObject at ${origin}: ${put.status} ${put.body.toString()}`)
}

function getSpec(agent: HttpAgent, url: URL): LoadSpec {
  return {
    url,
    method: 'GET',
    agent,
    headers: {},
    body: Buffer.alloc(0),
    concurrency: CONCURRENCY,
    check: (status, chunks) => {
      const n = chunks.reduce((sum, c) => sum + c.length, 0)
      return status === 200 && n === SMALL.length ? undefined : `${status}, ${n} bytes`
    },
  }
}

function putSpec(agent: HttpAgent, urls: readonly URL[]): LoadSpec {
  let next = 0
  return {
    url: urls[0]!,
    nextUrl: () => urls[next++ % urls.length]!,
    method: 'PUT',
    agent,
    headers: { 'content-length': LARGE.length },
    body: LARGE,
    concurrency: CONCURRENCY,
    check: (status, chunks) =>
      status === 200 ? undefined : `${status}: ${Buffer.concat(chunks).toString().slice(0, 200)}`,
  }
}

/** Presigned PUTs of PUT_KEYS distinct keys. */
function putUrls(origin: string, keys: Keys): Promise<URL[]> {
  return Promise.all(
    Array.from({ length: PUT_KEYS }, (_, i) => presign(origin, keys, 'PUT', `large-${i}`)),
  )
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-bench-s3-'))
  const dataDir = join(dir, 'data')
  const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY })
  const up = await startUp(
    dataDir,
    ['--webhook-port', '0', '--kube-port', '0', '--aws-https-port', '0'],
    {
      env: { IRSA_LOG_LEVEL: 'info' },
    },
  )
  try {
    const env = readEnv(join(dataDir, 'env'))
    const admin = {
      accessKeyId: env['AWS_ACCESS_KEY_ID'] ?? '',
      secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? '',
    }
    await seed(agent, up.awsEndpoint, admin)
    const session = await roleSession(dir, dataDir, up.awsEndpoint, up.issuer, admin)
    const irsaGet = getSpec(agent, await presign(up.awsEndpoint, session, 'GET', 'small'))
    const irsaPut = putSpec(agent, await putUrls(up.awsEndpoint, admin))
    const motoOrigin = await startMoto()
    const lines = [
      '| measured | requests | rps (median round) | p50 ms | p99 ms |',
      '| --- | ---: | ---: | ---: | ---: |',
    ]
    const targets = ['| target | goal | measured | |', '| --- | --- | ---: | --- |']
    if (motoOrigin === undefined) {
      const [get] = await compare([irsaGet], {
        warmup: GET_WARMUP,
        warmupMs: GET_WARMUP_MS,
        rounds: ROUNDS,
        requests: ROUND_REQUESTS,
        ms: ROUND_MS,
      })
      lines.push(row('GetObject 4 KB presigned (role session), irsa up', get!))
      lines.push('| moto_server | — | skipped: not on PATH | — | — |')
      return [...lines, '', ...targets, '| all | — | skipped: no moto_server | — |'].join('\n')
    }
    const motoKeys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' }
    await seed(agent, motoOrigin, motoKeys)
    const motoGet = getSpec(agent, await presign(motoOrigin, motoKeys, 'GET', 'small'))
    const motoPut = putSpec(agent, await putUrls(motoOrigin, motoKeys))
    const [ig, mg] = await compare([irsaGet, motoGet], {
      warmup: GET_WARMUP,
      warmupMs: GET_WARMUP_MS,
      rounds: ROUNDS,
      requests: ROUND_REQUESTS,
      ms: ROUND_MS,
    })
    const [ip, mp] = await compare([irsaPut, motoPut], {
      warmup: 50,
      rounds: ROUNDS,
      requests: PUT_ROUND_REQUESTS,
      ms: ROUND_MS,
    })
    lines.push(row('GetObject 4 KB presigned (role session), irsa up', ig!))
    lines.push(row('GetObject 4 KB presigned, moto_server', mg!))
    lines.push(row('PutObject 1 MB presigned, irsa up', ip!))
    lines.push(row('PutObject 1 MB presigned, moto_server', mp!))
    const getRatio = pairedRatio(ig!, mg!)
    const p99Ratio = ig!.p99 / mg!.p99
    const putRatio = pairedRatio(ip!, mp!)
    targets.push(
      target('GetObject rps irsa / moto (paired rounds)', '≥ 10×', getRatio, getRatio >= 10),
    )
    targets.push(target('GetObject p99 irsa / moto', '≤ 0.20×', p99Ratio, p99Ratio <= 0.2))
    targets.push(
      target('PutObject 1 MB rps irsa / moto (paired rounds)', '≥ 5×', putRatio, putRatio >= 5),
    )
    return [...lines, '', ...targets].join('\n')
  } finally {
    agent.destroy()
    await stopUp(up)
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}
