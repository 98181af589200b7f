import { randomBytes, randomInt } from 'node:crypto'
import { StoreInvalidError } from './errors.js'

/** The base32 alphabet (RFC 4648) that AWS's unique ids and access key ids use. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
/** 2^39: added to account/2 so the encoded account always fills 8 base32 characters. */
const ACCOUNT_OFFSET = 549_755_813_888
const ACCOUNT_RE = /^\d{12}$/
const PREFIX_RE = /^[A-Z]{4}$/

/** True for a 12-digit AWS account id. */
export function isAccountId(s: string): boolean {
  return ACCOUNT_RE.test(s)
}

function encodeAccount(accountId: string): string {
  const n = Math.floor(Number(accountId) / 2) + ACCOUNT_OFFSET
  let out = ''
  for (let shift = 35; shift >= 0; shift -= 5) out += BASE32.charAt(Math.floor(n / 2 ** shift) % 32)
  return out
}

function randomBase32(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += BASE32.charAt(randomInt(32))
  return out
}

/**
 * A new IAM unique id or access key id in AWS's observed layout: the 4-letter prefix
 * (`AROA` role, `ANPA` policy, `AKIA` key, `ASIA` temporary key), 8 base32 characters
 * encoding the account (account/2 + 2^39), one character whose half of the alphabet
 * carries the account's lowest bit, then random base32 up to `length` (21 for ids, 20
 * for access key ids). {@link accountIdOfUniqueId} reads the account back.
 */
export function newUniqueId(prefix: string, accountId: string, length = 21): string {
  if (!PREFIX_RE.test(prefix)) throw new StoreInvalidError(`bad id prefix ${prefix}`)
  if (!isAccountId(accountId)) throw new StoreInvalidError(`bad account id ${accountId}`)
  if (length < 14 || length > 128) throw new StoreInvalidError(`bad id length ${length}`)
  const odd = Number(accountId.slice(-1)) % 2 === 1
  const parity = BASE32.charAt(randomInt(16) + (odd ? 16 : 0))
  return prefix + encodeAccount(accountId) + parity + randomBase32(length - 13)
}

/** The account an id from {@link newUniqueId} (or from AWS) encodes; `undefined` if none. */
export function accountIdOfUniqueId(id: string): string | undefined {
  if (id.length < 13) return undefined
  let n = 0
  for (const ch of id.slice(4, 12)) {
    const v = BASE32.indexOf(ch)
    if (v < 0) return undefined
    n = n * 32 + v
  }
  const parity = BASE32.indexOf(id[12] ?? '')
  if (parity < 0 || n < ACCOUNT_OFFSET) return undefined
  const account = (n - ACCOUNT_OFFSET) * 2 + (parity >= 16 ? 1 : 0)
  return account > 999_999_999_999 ? undefined : String(account).padStart(12, '0')
}

/** A new EKS-style OIDC issuer id: 32 upper-case hex characters (`.../id/<this>`). */
export function newIssuerId(): string {
  return randomBytes(16).toString('hex').toUpperCase()
}
