import { createHmac } from 'node:crypto'

/** HMAC-SHA256. */
function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}

/**
 * SigV4's derived signing key: HMAC chain over `AWS4<secret>`, the scope date, region,
 * service and `aws4_request`.
 */
export function deriveSigningKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date)
  const kRegion = hmac(kDate, region)
  const kService = hmac(kRegion, service)
  return hmac(kService, 'aws4_request')
}

/**
 * A bounded cache of derived signing keys per (secret, date, region, service): a key is
 * valid for a whole day, so a steady client costs four HMACs once a day instead of on
 * every request. Least recently used entries go first once `capacity` is reached.
 */
export class SigningKeyCache {
  readonly #capacity: number
  readonly #keys = new Map<string, Buffer>()

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('signing key cache capacity must be a positive integer')
    this.#capacity = capacity
  }

  /** How many keys are held. */
  get size(): number {
    return this.#keys.size
  }

  /** The signing key, derived on a miss. */
  get(secretAccessKey: string, date: string, region: string, service: string): Buffer {
    const id = `${date}\0${region}\0${service}\0${secretAccessKey}`
    const hit = this.#keys.get(id)
    if (hit !== undefined) {
      this.#keys.delete(id)
      this.#keys.set(id, hit)
      return hit
    }
    const key = deriveSigningKey(secretAccessKey, date, region, service)
    if (this.#keys.size >= this.#capacity) {
      const oldest = this.#keys.keys().next()
      if (oldest.done !== true) this.#keys.delete(oldest.value)
    }
    this.#keys.set(id, key)
    return key
  }
}
