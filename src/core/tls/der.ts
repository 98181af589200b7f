/**
 * A minimal DER (ASN.1 Distinguished Encoding Rules) encoder and reader: exactly what
 * building an X.509 v3 certificate needs, and nothing more. Every function returns the
 * complete TLV (tag, length, value) as a Buffer, so encodings nest by concatenation.
 */

/** Universal and context-specific tags used by X.509. */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** One TLV with an arbitrary tag byte. */
function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value])
}

/** SEQUENCE of already-encoded elements. */
export function sequence(...items: readonly Buffer[]): Buffer {
  return tlv(TAG.sequence, Buffer.concat(items))
}

/** SET OF already-encoded elements, sorted as DER requires. */
export function set(...items: readonly Buffer[]): Buffer {
  return tlv(TAG.set, Buffer.concat([...items].sort((a, b) => Buffer.compare(a, b))))
}

/** INTEGER from a small non-negative number. */
export function integer(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`integer out of range: ${n}`)
  const bytes: number[] = []
  let v = n
  do {
    bytes.unshift(v & 0xff)
    v = Math.floor(v / 256)
  } while (v > 0)
  return unsignedInteger(Buffer.from(bytes))
}

/** INTEGER from big-endian unsigned bytes (a serial number): minimal, never negative. */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const trimmed = bytes.subarray(start)
  const first = trimmed[0] ?? 0
  const value = first & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed
  return tlv(TAG.integer, value.length === 0 ? Buffer.from([0]) : value)
}

/** BOOLEAN (DER: TRUE is 0xff). */
export function boolean(v: boolean): Buffer {
  return tlv(TAG.boolean, Buffer.from([v ? 0xff : 0x00]))
}

/** NULL. */
export function nullValue(): Buffer {
  return tlv(TAG.null, Buffer.alloc(0))
}

/** OCTET STRING. */
export function octetString(bytes: Buffer): Buffer {
  return tlv(TAG.octetString, bytes)
}

/** BIT STRING of whole bytes (unused bits 0), as signatures and keys are. */
export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]))
}

/**
 * A named-bit BIT STRING (keyUsage): bit 0 is the most significant bit of the first
 * byte, and DER drops trailing zero bits.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0))
  const highest = Math.max(...bits)
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1)
  for (const b of bits) {
    const i = Math.floor(b / 8)
    bytes[i] = (bytes[i] ?? 0) | (0x80 >> (b % 8))
  }
  return bitString(bytes, 7 - (highest % 8))
}

/** OBJECT IDENTIFIER from dotted text, e.g. `2.5.29.17`. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => {
    const n = Number(s)
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(n)) throw new RangeError(`bad OID ${dotted}`)
    return n
  })
  const [a, b, ...rest] = arcs
  if (a === undefined || b === undefined) throw new RangeError(`bad OID ${dotted}`)
  const out: number[] = []
  for (const arc of [a * 40 + b, ...rest]) {
    const chunk: number[] = [arc & 0x7f]
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128))
      chunk.unshift(0x80 | (v & 0x7f))
    out.push(...chunk)
  }
  return tlv(TAG.oid, Buffer.from(out))
}

/** UTF8String. */
export function utf8String(s: string): Buffer {
  return tlv(TAG.utf8String, Buffer.from(s, 'utf8'))
}

/**
 * An X.509 Time: UTCTime for years 1950 to 2049, GeneralizedTime otherwise (RFC 5280
 * §4.1.2.5), in whole seconds, always `Z`.
 */
export function time(epochMs: number): Buffer {
  const iso = new Date(epochMs).toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ
  const year = Number(iso.slice(0, 4))
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z'
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, Buffer.from(digits.slice(2), 'ascii'))
  return tlv(TAG.generalizedTime, Buffer.from(digits, 'ascii'))
}

/** An explicit context-specific tag `[n]` wrapping one encoded element. */
export function explicit(n: number, inner: Buffer): Buffer {
  return tlv(0xa0 | n, inner)
}

/** An implicit context-specific primitive tag `[n]` over raw value bytes. */
export function implicit(n: number, value: Buffer): Buffer {
  return tlv(0x80 | n, value)
}

/** One decoded TLV: its tag, its value bytes, its raw encoding and where it ends. */
interface DerElement {
  readonly tag: number
  readonly value: Buffer
  /** The whole encoding, tag and length included. */
  readonly raw: Buffer
  readonly end: number
}

/** Reads the TLV starting at `offset` (definite lengths only, as DER requires). */
export function readElement(buf: Buffer, offset = 0): DerElement {
  const tag = buf[offset]
  const first = buf[offset + 1]
  if (tag === undefined || first === undefined) throw new RangeError('DER: truncated element')
  let length = first
  let pos = offset + 2
  if (first & 0x80) {
    const count = first & 0x7f
    if (count === 0 || count > 4) throw new RangeError('DER: unsupported length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (buf[pos + i] ?? 0)
    pos += count
  }
  if (pos + length > buf.length) throw new RangeError('DER: truncated element')
  return {
    tag,
    value: buf.subarray(pos, pos + length),
    raw: buf.subarray(offset, pos + length),
    end: pos + length,
  }
}

/** The elements inside a constructed value (a SEQUENCE's contents), in order. */
export function readChildren(value: Buffer): DerElement[] {
  const out: DerElement[] = []
  for (let pos = 0; pos < value.length;) {
    const el = readElement(value, pos)
    out.push(el)
    pos = el.end
  }
  return out
}
