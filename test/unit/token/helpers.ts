import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompactSign } from 'jose'
import { loadSigningKey, type SigningKey } from '../../../src/token/index.js'

export type Curve = 'P-256' | 'P-384' | 'P-521'

const cache = new Map<string, { pem: string; key: SigningKey }>()

/** A signing key (generated once per test process) as PEM and as loaded by irsa. */
export function testKey(kind: 'rsa' | Curve, slot = 0): { pem: string; key: SigningKey } {
  const id = `${kind}#${slot}`
  let entry = cache.get(id)
  if (entry === undefined) {
    const pair =
      kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: kind })
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    entry = { pem, key: loadSigningKey(pem) }
    cache.set(id, entry)
  }
  return entry
}

/** A temporary directory removed after the test. */
export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'irsa-token-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** Decodes one base64url part of a compact JWS to its exact text. */
export function partText(token: string, index: 0 | 1): string {
  const part = token.split('.')[index] ?? ''
  return Buffer.from(part, 'base64url').toString('utf8')
}

/**
 * A token signed by jose (an independent JWS implementation) with any protected header,
 * for the verifier's tests: forged kids, odd headers, other algorithms.
 */
export async function joseToken(
  header: Record<string, unknown> & { alg: string },
  payload: Record<string, unknown>,
  privateKey: KeyObject,
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(privateKey)
}

/** base64url of text. */
export function b64(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url')
}

/** An RS256 token signed with node:crypto directly, for headers or keys jose refuses. */
export function rs256Token(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`
}
