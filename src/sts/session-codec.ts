import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { RoleSessionPrincipal } from '../iam/index.js'
import { newSecretAccessKey, newSessionAccessKeyId } from './credentials.js'

/** The envelope version this codec writes (the first byte of every token). */
const SESSION_TOKEN_VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES
/** Tokens longer than this are refused before any decoding (ours are well under 8 KB). */
export const MAX_SESSION_TOKEN_LENGTH = 16 * 1024
const AAD = Buffer.from('irsa.sts.session.v1')
/**
 * Opened sessions a codec remembers, by their exact token: a pod's SDK signs every call
 * with one session token for up to an hour, so the hot path decrypts each token once.
 * Only tokens that opened are kept (a forged one costs its decryption every time, and
 * cannot fill the memory); the oldest goes first past this many.
 */
export const OPENED_SESSIONS_KEPT = 1024

/** Temporary credentials as STS hands them out. */
export interface IssuedCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  /** Epoch milliseconds (the principal's `expiresAtMs`). */
  readonly expiresAtMs: number
}

/** What a session token holds once it decrypts and authenticates. */
interface OpenedSession {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly principal: RoleSessionPrincipal
}

/**
 * Issues and opens self-contained session tokens: AES-256-GCM over the session (access
 * key id, secret, principal and expiry) under the server's session key, so any replica
 * holding the key verifies any session with no session table. The token is
 * `base64(version ‖ iv ‖ tag ‖ ciphertext)`; the version byte and a fixed label are
 * authenticated data, so a token of another version or purpose never opens.
 */
export interface SessionCodec {
  /** New `ASIA…` credentials for `principal` (a fresh key id and secret each time). */
  issue(principal: RoleSessionPrincipal): IssuedCredentials
  /** The session a token carries, or undefined when it is malformed, forged or tampered. */
  open(sessionToken: string): OpenedSession | undefined
}

/** A token's session, decrypted and authenticated, or undefined (see {@link SessionCodec.open}). */
type Opener = (sessionToken: string) => OpenedSession | undefined

/** `open` remembering the last {@link OPENED_SESSIONS_KEPT} tokens that opened. */
function remembering(open: Opener): Opener {
  const kept = new Map<string, OpenedSession>()
  return (sessionToken) => {
    const hit = kept.get(sessionToken)
    if (hit !== undefined) return hit
    const opened = open(sessionToken)
    if (opened === undefined) return undefined
    if (kept.size >= OPENED_SESSIONS_KEPT) kept.delete(kept.keys().next().value ?? '')
    kept.set(sessionToken, opened)
    return opened
  }
}

interface Payload {
  readonly k: string
  readonly s: string
  readonly p: RoleSessionPrincipal
}

function isPayload(v: unknown): v is Payload {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  const p = o['p'] as Record<string, unknown> | null | undefined
  return (
    typeof o['k'] === 'string' &&
    typeof o['s'] === 'string' &&
    typeof p === 'object' &&
    p !== null &&
    p['kind'] === 'role-session' &&
    typeof p['expiresAtMs'] === 'number' &&
    typeof p['arn'] === 'string'
  )
}

const DRAW = 16 + 30 + IV_BYTES
const POOL_DRAWS = 128

/** Random bytes for key ids, secrets and IVs, drawn from the CSPRNG 128 sessions at a time. */
function randomPool(): () => Buffer {
  let pool = randomBytes(DRAW * POOL_DRAWS)
  let at = 0
  return () => {
    if (at + DRAW > pool.length) {
      pool = randomBytes(DRAW * POOL_DRAWS)
      at = 0
    }
    const out = pool.subarray(at, at + DRAW)
    at += DRAW
    return out
  }
}

/** The session `sessionToken` carries under `key`, or undefined when it does not open. */
function openToken(key: KeyObject, aad: Buffer, sessionToken: string): OpenedSession | undefined {
  if (sessionToken.length > MAX_SESSION_TOKEN_LENGTH) return undefined
  const raw = Buffer.from(sessionToken, 'base64')
  if (raw.length <= HEADER_BYTES || raw[0] !== SESSION_TOKEN_VERSION) return undefined
  // Buffer.from(base64) skips junk silently; a token must be exactly what we wrote.
  if (raw.toString('base64') !== sessionToken) return undefined
  const iv = raw.subarray(1, 1 + IV_BYTES)
  const tag = raw.subarray(1 + IV_BYTES, HEADER_BYTES)
  let plain: Buffer
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    plain = Buffer.concat([decipher.update(raw.subarray(HEADER_BYTES)), decipher.final()])
  } catch {
    return undefined
  }
  let value: unknown
  try {
    value = JSON.parse(plain.toString('utf8'))
  } catch {
    return undefined
  }
  if (!isPayload(value)) return undefined
  return { accessKeyId: value.k, secretAccessKey: value.s, principal: value.p }
}

/** A codec keyed by `secret` (32 bytes: see {@link loadSessionSecret}). */
export function createSessionCodec(secret: Uint8Array): SessionCodec {
  if (secret.length !== 32) throw new RangeError('the session key must be 32 bytes')
  const key: KeyObject = createSecretKey(Buffer.from(secret))
  const header = Buffer.of(SESSION_TOKEN_VERSION)
  const aad = Buffer.concat([header, AAD])
  const draw = randomPool()
  const open = remembering((sessionToken) => openToken(key, aad, sessionToken))
  return {
    issue(principal) {
      const random = draw()
      const accessKeyId = newSessionAccessKeyId(random.subarray(0, 16))
      const secretAccessKey = newSecretAccessKey(random.subarray(16, 46))
      const iv = random.subarray(46)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(aad)
      const plain = Buffer.from(
        JSON.stringify({ k: accessKeyId, s: secretAccessKey, p: principal }),
      )
      const body = Buffer.concat([cipher.update(plain), cipher.final()])
      const token = Buffer.concat([header, iv, cipher.getAuthTag(), body]).toString('base64')
      return {
        accessKeyId,
        secretAccessKey,
        sessionToken: token,
        expiresAtMs: principal.expiresAtMs,
      }
    },
    open,
  }
}
