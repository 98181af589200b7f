/**
 * `irsa up` as a user starts it: the built CLI in its own process (`node bin/irsa.js up`
 * with ports 0, a fixed account and a log file, every other flag at its default), set up
 * the way the README walkthrough does it (the admin keys from DATA/env, the OIDC provider
 * with the thumbprint `irsa oidc thumbprint` measures, a role trusting
 * system:serviceaccount:default:app, the ServiceAccount applied with `irsa apply`, a token
 * from `irsa create token`), then measured side by side in one run with the shared load
 * generator (bench/_load.ts):
 *
 * - AssumeRoleWithWebIdentity (unsigned form POST) against `irsa up`, against a bare
 *   `node:http` server in its own process answering irsa's own answer (same bytes, same
 *   content type), and against `moto_server` (which verifies nothing);
 * - the webhook inside `irsa up` (an AdmissionReview for a Pod of ServiceAccount app)
 *   against a bare `node:https` server in its own process answering the same bytes;
 * - a second client's AssumeRoleWithWebIdentity latency while a first one sends the
 *   worst inputs (SimulateCustomPolicy, admin-signed, a policy near 100 KiB and the most
 *   ContextEntries, plus oversized unsigned bodies).
 *
 * Rounds alternate between the servers; ratios are judged on the median of the per-round
 * ratios (robust to a shared machine's drifting load). Bounded: every round is at most
 * ROUND_REQUESTS requests or ROUND_MS; the whole run is about 90 s. Every child is killed
 * at the end, also on error. `BENCH_UP_CPU_PROF=DIR` runs `irsa up` under `--cpu-prof`
 * and leaves the profile in DIR; `BENCH_UP_ONLY=sts|webhook` runs only that part (so a
 * profile shows one surface), with an empty table for the others.
 */
import { IAMClient } from '@aws-sdk/client-iam'
import { SimulateCustomPolicyCommand, type ContextEntry } from '@aws-sdk/client-iam'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  createCertificateAuthority,
  issueServerCertificate,
  systemClock,
} from '../src/core/index.js'
import { review as reviewOf } from '../test/unit/webhook-server/helpers.js'
import { issuerThumbprint, serviceAccountToken, webIdentityRole } from './_chain.js'
import { load as runLoad, median, percentile, type LoadSpec, type Round } from './_load.js'
import {
  compare as compareRounds,
  once,
  pairedRatio,
  startMoto,
  stopAll,
  track,
  type Stats,
  irsaBin,
  readEnv,
  row,
  target,
} from './_procs.js'

/** Alternating rounds over `specs`, with this benchmark's round sizes. */
function compare(specs: readonly LoadSpec[]): Promise<Stats[]> {
  return compareRounds(specs, {
    warmup: WARMUP_REQUESTS,
    rounds: ROUNDS,
    requests: ROUND_REQUESTS,
    ms: ROUND_MS,
  })
}

const ACCOUNT = '111122223333'
const CONCURRENCY = 32
const ROUNDS = 6
const ROUND_REQUESTS = Number(process.env['BENCH_UP_ROUND_REQUESTS'] ?? 3000)
const ROUND_MS = 2000
const WARMUP_REQUESTS = 1500
const VICTIM_REQUESTS = 1500
const VICTIM_MS = 8000
const FORM = 'application/x-www-form-urlencoded; charset=utf-8'

interface Up {
  readonly aws: string
  readonly webhook: string
  readonly issuer: string
}

/** Starts `irsa up` and waits (≤ 30 s) for its banner. */
function startUp(dataDir: string): Promise<Up> {
  const prof = process.env['BENCH_UP_CPU_PROF']
  const env = { ...process.env }
  delete env['IRSA_LOG_LEVEL']
  const child = track(
    spawn(
      process.execPath,
      [
        ...(prof === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', prof]),
        irsaBin,
        'up',
        '--data-dir',
        dataDir,
        '--aws-port',
        '0',
        '--oidc-port',
        '0',
        '--webhook-port',
        '0',
        '--account-id',
        ACCOUNT,
        '--log-file',
        join(dataDir, 'up.log'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env },
    ),
  )
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`irsa up did not print its banner within 30 s:\n${out}\n${err}`))
    }, 30_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`irsa up exited (${String(code)}):\n${out}\n${err}`))
    })
    child.stdout?.on('data', () => {
      if (!out.includes('Stop with Ctrl-C')) return
      clearTimeout(timer)
      const aws = /aws endpoint {2}(\S+)/.exec(out)?.[1]
      const webhook = /webhook {7}(\S+)/.exec(out)?.[1]
      const issuer = /cluster {7}local {2}issuer (\S+)/.exec(out)?.[1]
      if (aws === undefined || webhook === undefined || issuer === undefined)
        reject(new Error(`irsa up banner not understood:\n${out}`))
      else resolve({ aws, webhook, issuer })
    })
  })
}

/**
 * A bare server in its own process: reads each request body, answers `bodyFile`'s bytes
 * with `contentType`; HTTPS when `tls` names a cert and key file. Resolves its origin.
 */
function startBare(
  bodyFile: string,
  contentType: string,
  tls?: { cert: string; key: string },
): Promise<string> {
  const script = `
const fs = require('node:fs')
const body = fs.readFileSync(process.env.BARE_BODY)
const ct = process.env.BARE_CT
const handler = (req, res) => {
  req.on('data', () => undefined)
  req.on('end', () => {
    res.writeHead(200, { 'content-type': ct, 'content-length': body.length })
    res.end(body)
  })
}
const server = process.env.BARE_CERT
  ? require('node:https').createServer({ cert: fs.readFileSync(process.env.BARE_CERT), key: fs.readFileSync(process.env.BARE_KEY) }, handler)
  : require('node:http').createServer(handler)
server.keepAliveTimeout = 60000
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'))
process.on('SIGTERM', () => process.exit(0))
`
  const child = track(
    spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        BARE_BODY: bodyFile,
        BARE_CT: contentType,
        BARE_CERT: tls?.cert ?? '',
        BARE_KEY: tls?.key ?? '',
      },
    }),
  )
  return new Promise((resolve, reject) => {
    let out = ''
    child.once('exit', (code) => {
      reject(new Error(`bare server exited (${String(code)})`))
    })
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n'))
        resolve(`${tls === undefined ? 'http' : 'https'}://127.0.0.1:${out.trim()}`)
    })
  })
}

function stsSpec(agent: HttpAgent, origin: string, body: Buffer, concurrency: number): LoadSpec {
  return {
    url: new URL('/', origin),
    agent,
    headers: { 'content-type': FORM, 'content-length': body.length },
    body,
    concurrency,
    check: (status, chunks) => {
      const text = Buffer.concat(chunks).toString('utf8')
      return status === 200 && text.includes('<SessionToken>')
        ? undefined
        : `${status}: ${text.slice(0, 200)}`
    },
  }
}

function webhookSpec(agent: HttpsAgent, url: string, body: Buffer, bytes: number): LoadSpec {
  return {
    url: new URL(url),
    agent,
    headers: { 'content-type': 'application/json', 'content-length': body.length },
    body,
    concurrency: CONCURRENCY,
    check: (status, chunks) => {
      const n = chunks.reduce((sum, c) => sum + c.length, 0)
      return status === 200 && n === bytes ? undefined : `${status}, ${n} bytes`
    },
  }
}

/** A policy near 100 KiB: many statements, each with many actions and resources. */
function bigPolicy(): string {
  const statements: unknown[] = []
  let i = 0
  for (;;) {
    statements.push({
      Sid: `S${i}`,
      Effect: i % 2 === 0 ? 'Allow' : 'Deny',
      Action: Array.from({ length: 20 }, (_, j) => `s3:Get*Object${j}*`),
      Resource: Array.from({ length: 10 }, (_, j) => `arn:aws:s3:::bucket-${i}-${j}/*/prefix*`),
      Condition: { StringLike: { 'aws:PrincipalTag/team': [`team-${i}-*`, '*a*b*c*d*'] } },
    })
    const text = JSON.stringify({ Version: '2012-10-17', Statement: statements })
    if (text.length > 100_000) {
      statements.pop()
      return JSON.stringify({ Version: '2012-10-17', Statement: statements })
    }
    i++
  }
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-bench-up-'))
  const dataDir = join(dir, 'data')
  const prof = process.env['BENCH_UP_CPU_PROF']
  if (prof !== undefined) mkdirSync(prof, { recursive: true })
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY })
  const agents: { destroy(): void }[] = [httpAgent]
  try {
    const up = await startUp(dataDir)
    const env = readEnv(join(dataDir, 'env'))
    const credentials = {
      accessKeyId: env['AWS_ACCESS_KEY_ID'] ?? '',
      secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? '',
    }
    const iam = new IAMClient({ endpoint: up.aws, region: 'us-west-2', credentials })
    const thumbprint = await issuerThumbprint(up.issuer, dataDir)
    const setUpChain = (client: IAMClient): Promise<string> =>
      webIdentityRole(client, { issuer: up.issuer, thumbprint, role: 'app', serviceAccount: 'app' })
    const roleArn = await setUpChain(iam)
    const token = await serviceAccountToken(dir, dataDir, 'app', roleArn)
    const form = (arn: string): Buffer =>
      Buffer.from(
        new URLSearchParams({
          Action: 'AssumeRoleWithWebIdentity',
          Version: '2011-06-15',
          RoleArn: arn,
          RoleSessionName: 'bench',
          WebIdentityToken: token,
        }).toString(),
      )
    const stsBody = form(roleArn)

    // The bare HTTP peer answers exactly what irsa answered.
    const first = await once(httpAgent, new URL('/', up.aws), 'POST', stsBody, {
      'content-type': FORM,
      'content-length': stsBody.length,
    })
    if (first.status !== 200 || !first.body.includes('<SessionToken>'))
      throw new Error(`AssumeRoleWithWebIdentity failed: ${first.status} ${first.body.toString()}`)
    writeFileSync(join(dir, 'sts-answer'), first.body)
    const bareHttp = await startBare(join(dir, 'sts-answer'), first.contentType)

    const motoOrigin = await startMoto()
    let motoBody: Buffer | undefined
    if (motoOrigin !== undefined) {
      const moto = new IAMClient({
        endpoint: motoOrigin,
        region: 'us-west-2',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      })
      motoBody = form(await setUpChain(moto))
    }

    // The webhook: a Pod of ServiceAccount app; the bare HTTPS peer answers the same bytes.
    const review = Buffer.from(
      JSON.stringify(
        reviewOf({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'web', namespace: 'default' },
          spec: { serviceAccountName: 'app', containers: [{ name: 'web', image: 'amazonlinux' }] },
        }),
      ),
    )
    const upCa = readFileSync(join(dataDir, 'ca.pem'), 'utf8')
    const upAgent = new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY, ca: upCa })
    agents.push(upAgent)
    const admitted = await once(upAgent, new URL(up.webhook), 'POST', review, {
      'content-type': 'application/json',
      'content-length': review.length,
    })
    if (admitted.status !== 200 || !admitted.body.includes('"patch"'))
      throw new Error(`webhook did not patch: ${admitted.status} ${admitted.body.toString()}`)
    writeFileSync(join(dir, 'webhook-answer'), admitted.body)
    const ca = createCertificateAuthority({ commonName: 'bench CA', clock: systemClock })
    const pair = issueServerCertificate(ca, { ipAddresses: ['127.0.0.1'], clock: systemClock })
    writeFileSync(join(dir, 'tls.crt'), pair.certPem)
    writeFileSync(join(dir, 'tls.key'), pair.keyPem)
    const bareHttps = await startBare(join(dir, 'webhook-answer'), admitted.contentType, {
      cert: join(dir, 'tls.crt'),
      key: join(dir, 'tls.key'),
    })
    const bareAgent = new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY, ca: ca.certPem })
    agents.push(bareAgent)

    const only = process.env['BENCH_UP_ONLY']
    const header =
      '| measured | requests | rps (median round) | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |'
    if (only === 'webhook') {
      const [u, b] = await compare([
        webhookSpec(upAgent, up.webhook, review, admitted.body.length),
        webhookSpec(bareAgent, `${bareHttps}/mutate`, review, admitted.body.length),
      ])
      return [
        header,
        row('(d) webhook /mutate, irsa up', u!),
        row('(d) bare node:https', b!),
        `paired rps ratio ${pairedRatio(u!, b!).toFixed(2)}×, p99 ratio ${(u!.p99 / b!.p99).toFixed(2)}×`,
      ].join('\n')
    }
    // (a)–(c)
    const sts = await compare([
      stsSpec(httpAgent, up.aws, stsBody, CONCURRENCY),
      stsSpec(httpAgent, bareHttp, stsBody, CONCURRENCY),
      ...(motoOrigin !== undefined && motoBody !== undefined
        ? [stsSpec(httpAgent, motoOrigin, motoBody, CONCURRENCY)]
        : []),
    ])
    if (only === 'sts')
      return [
        header,
        row('(a) irsa up', sts[0]!),
        row('(b) bare node:http', sts[1]!),
        `paired rps ratio ${pairedRatio(sts[0]!, sts[1]!).toFixed(2)}×, p99 ratio ${(sts[0]!.p99 / sts[1]!.p99).toFixed(2)}×`,
      ].join('\n')
    // (d)
    const hooks = await compare([
      webhookSpec(upAgent, up.webhook, review, admitted.body.length),
      webhookSpec(bareAgent, `${bareHttps}/mutate`, review, admitted.body.length),
    ])

    // (e) One client alone, then next to one sending the worst inputs.
    const victimAgent = new HttpAgent({ keepAlive: true, maxSockets: 1 })
    agents.push(victimAgent)
    const victimSpec = stsSpec(victimAgent, up.aws, stsBody, 1)
    const stat = (r: Round): Stats => {
      const s = Float64Array.from(r.latencies).sort()
      return {
        n: r.latencies.length,
        rps: r.rps,
        p50: percentile(s, 50),
        p99: percentile(s, 99),
        rounds: [r.rps],
      }
    }
    const alone = stat(await runLoad(victimSpec, VICTIM_REQUESTS, VICTIM_MS))
    const policy = bigPolicy()
    const contextEntries: ContextEntry[] = Array.from({ length: 50 }, (_, i) => ({
      ContextKeyName: `aws:PrincipalTag/k${i}`,
      ContextKeyType: 'stringList',
      ContextKeyValues: Array.from({ length: 20 }, (_, j) => `value-${i}-${j}-${'x'.repeat(40)}`),
    }))
    const attackAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 })
    agents.push(attackAgent)
    const oversized = Buffer.alloc(2 * 1024 * 1024, 'a')
    let stop = false
    const attacks = { simulate: 0, simulateMs: [] as number[], oversized: 0, errors: 0 }
    const simulator = async (): Promise<void> => {
      while (!stop) {
        const t0 = performance.now()
        try {
          await iam.send(
            new SimulateCustomPolicyCommand({
              PolicyInputList: [policy],
              ActionNames: Array.from({ length: 10 }, (_, j) => `s3:GetObject${j}`),
              ResourceArns: [`arn:aws:s3:::bucket-1-1/a/prefix-x`],
              ContextEntries: contextEntries,
            }),
          )
          attacks.simulate++
        } catch {
          attacks.errors++
        }
        attacks.simulateMs.push(performance.now() - t0)
      }
    }
    const flooder = async (): Promise<void> => {
      while (!stop) {
        try {
          await once(attackAgent, new URL('/', up.aws), 'POST', oversized, {
            'content-type': FORM,
            'content-length': oversized.length,
          })
          attacks.oversized++
        } catch {
          attacks.errors++
        }
      }
    }
    const attackers = [simulator(), simulator(), flooder()]
    let loaded: Stats
    try {
      loaded = stat(await runLoad(victimSpec, VICTIM_REQUESTS, VICTIM_MS))
    } finally {
      stop = true
      await Promise.all(attackers)
    }

    const [irsaSts, bareSts, motoSts] = sts
    const [irsaHook, bareHook] = hooks
    const lines = [
      `\`irsa up\` started as a user starts it (own process, default flags, --log-file); ${CONCURRENCY} concurrent keep-alive connections, ${ROUNDS} alternating rounds of ≤ ${ROUND_REQUESTS} requests or ${ROUND_MS / 1000} s each`,
      '',
      '| measured | requests | rps (median round) | p50 ms | p99 ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('(a) AssumeRoleWithWebIdentity, irsa up', irsaSts!),
      row(`(b) bare node:http, same ${first.body.length}-byte answer`, bareSts!),
      motoSts === undefined
        ? '| (c) moto_server | — | skipped: not on PATH | — | — |'
        : row('(c) AssumeRoleWithWebIdentity, moto_server', motoSts),
      row('(d) webhook /mutate, irsa up', irsaHook!),
      row(`(d) bare node:https, same ${admitted.body.length}-byte answer`, bareHook!),
      row('(e) AssumeRoleWithWebIdentity, 1 client alone', alone),
      row('(e) same, next to a client sending the worst inputs', loaded),
      '',
      `(e) worst inputs sent meanwhile: ${attacks.simulate} SimulateCustomPolicy (${(policy.length / 1024).toFixed(0)} KiB policy, ${contextEntries.length} ContextEntries × 20 values, 2 loops; median ${median(attacks.simulateMs).toFixed(0)} ms each), ${attacks.oversized} unsigned ${oversized.length / 2 ** 20} MiB bodies, ${attacks.errors} errors`,
      '',
      '| target | goal | measured | result |',
      '| --- | --- | ---: | --- |',
    ]
    const stsRps = pairedRatio(irsaSts!, bareSts!)
    lines.push(target('rps irsa / bare node:http (paired rounds)', '≥ 0.5×', stsRps, stsRps >= 0.5))
    const stsP99 = irsaSts!.p99 / bareSts!.p99
    lines.push(target('p99 irsa / bare node:http', '≤ 2×', stsP99, stsP99 <= 2))
    if (motoSts !== undefined) {
      const m = pairedRatio(irsaSts!, motoSts)
      lines.push(target('rps irsa / moto_server (paired rounds)', '≥ 20×', m, m >= 20))
    } else lines.push('| rps irsa / moto_server | ≥ 20× | skipped | — |')
    const hookRps = pairedRatio(irsaHook!, bareHook!)
    lines.push(target('webhook rps irsa / bare node:https', '≥ 0.8×', hookRps, hookRps >= 0.8))
    const hookP99 = irsaHook!.p99 / bareHook!.p99
    lines.push(target('webhook p99 irsa / bare node:https', '≤ 1.5×', hookP99, hookP99 <= 1.5))
    lines.push(
      target('(e) victim p99 next to worst inputs', '< 50 ms', loaded.p99, loaded.p99 < 50, ' ms'),
    )
    return lines.join('\n')
  } finally {
    for (const a of agents) a.destroy()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}
