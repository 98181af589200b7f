import { randomBytes } from 'node:crypto'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** The prefix AWS gives temporary (STS) access key ids. */
const SESSION_KEY_PREFIX = 'ASIA'

/** `ASIA` and 16 random base32 characters (A–Z, 2–7): 20 characters, as AWS's. */
export function newSessionAccessKeyId(bytes: Uint8Array = randomBytes(16)): string {
  let out = SESSION_KEY_PREFIX
  for (const b of bytes) out += BASE32.charAt(b & 31)
  return out
}

/** 40 characters of the base64 alphabet (30 random bytes), the shape of AWS's secrets. */
export function newSecretAccessKey(bytes: Uint8Array = randomBytes(30)): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, 30).toString('base64')
}

/** Whether an access key id is a temporary one (`ASIA…`). */
export function isSessionAccessKeyId(id: string): boolean {
  return id.startsWith(SESSION_KEY_PREFIX)
}
