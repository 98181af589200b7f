/**
 * Token signing (and verification) throughput: irsa's signer and verifier against raw
 * jose with the same key, header and claims, measured side by side in alternating rounds.
 * Bounded: 2000 operations per side per case after a 200-operation warm-up.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { jwtVerify, SignJWT } from 'jose'
import { systemClock } from '../src/core/index.js'
import {
  createTokenKeySet,
  createTokenSigner,
  loadSigningKey,
  verifyToken,
  type SigningKey,
  type TokenRequestSpec,
} from '../src/token/index.js'

const ITERATIONS = 2000
const WARMUP = 200
const ROUNDS = 4
const ISSUER = 'https://oidc.example.com/id/BENCH0123456789ABCDEF'

const request: TokenRequestSpec = {
  namespace: 'payments',
  serviceAccount: { name: 'app', uid: '11111111-2222-4333-8444-555555555555' },
  audiences: ['sts.amazonaws.com'],
  expirationSeconds: 86400,
  boundPod: { name: 'app-5d8c9-x7k2p', uid: '4f1c0d2e-8a9b-4c3d-9e8f-7a6b5c4d3e2f' },
  boundNode: { name: 'ip-10-0-1-23.ec2.internal', uid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' },
}

/** The claims jose signs: the same set irsa's signer writes, built the same way per token. */
function joseClaims(): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000)
  return {
    aud: ['sts.amazonaws.com'],
    exp: iat + 86400,
    iat,
    iss: ISSUER,
    jti: randomUUID(),
    'kubernetes.io': {
      namespace: 'payments',
      node: { name: 'ip-10-0-1-23.ec2.internal', uid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' },
      pod: { name: 'app-5d8c9-x7k2p', uid: '4f1c0d2e-8a9b-4c3d-9e8f-7a6b5c4d3e2f' },
      serviceaccount: { name: 'app', uid: '11111111-2222-4333-8444-555555555555' },
    },
    nbf: iat,
    sub: 'system:serviceaccount:payments:app',
  }
}

async function time(n: number, op: () => unknown): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < n; i++) await op()
  return performance.now() - start
}

/** Ops/s of two operations, measured in alternating rounds so drift hits both alike. */
async function sideBySide(
  ours: () => unknown,
  theirs: () => unknown,
): Promise<{ ours: number; theirs: number }> {
  await time(WARMUP, ours)
  await time(WARMUP, theirs)
  let a = 0
  let b = 0
  const per = ITERATIONS / ROUNDS
  for (let r = 0; r < ROUNDS; r++) {
    a += await time(per, ours)
    b += await time(per, theirs)
  }
  return { ours: (ITERATIONS * 1000) / a, theirs: (ITERATIONS * 1000) / b }
}

function keyFor(kind: 'rsa' | 'P-256'): SigningKey {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: kind })
  return loadSigningKey(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
}

/** Runs the benchmark and returns the printed table. */
export async function run(): Promise<string> {
  const rows: string[][] = []
  for (const kind of ['rsa', 'P-256'] as const) {
    const key = keyFor(kind)
    const signer = createTokenSigner({ key, issuer: ISSUER, clock: systemClock })
    const header = { alg: key.alg, kid: key.kid }
    const sign = await sideBySide(
      () => signer.issue(request).token,
      () => new SignJWT(joseClaims()).setProtectedHeader(header).sign(key.privateKey),
    )
    rows.push([`sign ${key.alg}`, ...fmt(sign)])

    const token = signer.issue(request).token
    const keySet = createTokenKeySet([key])
    const options = { clock: systemClock, expectedIssuer: ISSUER, audiences: ['sts.amazonaws.com'] }
    const verify = await sideBySide(
      () => verifyToken(token, keySet, options),
      () =>
        jwtVerify(token, key.publicKey, {
          issuer: ISSUER,
          audience: 'sts.amazonaws.com',
          algorithms: [key.alg],
        }),
    )
    rows.push([`verify ${key.alg}`, ...fmt(verify)])
  }
  const head = ['case', 'irsa ops/s', 'jose ops/s', 'irsa / jose']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`,
    ...rows.map(line),
    '',
    `${ITERATIONS} operations per side per case after ${WARMUP} warm-up, in ${ROUNDS} alternating rounds;`,
    'same key, header and claims. Ratios are the result; absolute numbers depend on the machine.',
  ].join('\n')
}

function fmt(r: { ours: number; theirs: number }): string[] {
  return [r.ours.toFixed(0), r.theirs.toFixed(0), `${(r.ours / r.theirs).toFixed(2)}x`]
}
