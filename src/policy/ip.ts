/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress/NotIpAddress operators
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress:
 * "the value must be in the standard CIDR format (for example, 203.0.113.0/24 or
 * 2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing
 * prefix, IAM uses the default prefix value of 32").
 */

/** An address as 32-bit words: one for IPv4, four for IPv6. */
interface IpAddr {
  readonly v6: boolean
  readonly words: readonly number[]
}

interface Cidr extends IpAddr {
  /** Prefix length in bits. */
  readonly prefix: number
}

function parseV4Words(s: string): number | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  let v = 0
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return undefined
    let n = 0
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i)
      if (c < 0x30 || c > 0x39) return undefined
      n = n * 10 + (c - 0x30)
    }
    if (n > 255 || (p.length > 1 && p[0] === '0')) return undefined
    v = v * 256 + n
  }
  return v >>> 0
}

function parseHextet(p: string): number | undefined {
  if (p.length === 0 || p.length > 4) return undefined
  let n = 0
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i)
    const d =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
          ? c - 0x57
          : c >= 0x41 && c <= 0x46
            ? c - 0x37
            : -1
    if (d < 0) return undefined
    n = n * 16 + d
  }
  return n
}

function parseV6(s: string): number[] | undefined {
  const hextets: number[] = []
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const side = (text: string, out: number[]): boolean => {
    if (text === '') return true
    const groups = text.split(':')
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? ''
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseV4Words(g)
        if (v4 === undefined) return false
        out.push(v4 >>> 16, v4 & 0xffff)
        continue
      }
      const h = parseHextet(g)
      if (h === undefined) return false
      out.push(h)
    }
    return true
  }
  const left: number[] = []
  const right: number[] = []
  if (!side(halves[0] ?? '', left)) return undefined
  if (halves.length === 2) {
    if (!side(halves[1] ?? '', right)) return undefined
    if (left.length + right.length > 7) return undefined
    hextets.push(
      ...left,
      ...Array.from({ length: 8 - left.length - right.length }, () => 0),
      ...right,
    )
  } else {
    if (left.length !== 8) return undefined
    hextets.push(...left)
  }
  const words: number[] = []
  for (let i = 0; i < 8; i += 2)
    words.push((((hextets[i] ?? 0) << 16) | (hextets[i + 1] ?? 0)) >>> 0)
  return words
}

/** Parses an IPv4 or IPv6 address (no prefix), or undefined. */
export function parseIp(s: string): IpAddr | undefined {
  if (s.includes(':')) {
    const words = parseV6(s)
    return words === undefined ? undefined : { v6: true, words }
  }
  const v4 = parseV4Words(s)
  return v4 === undefined ? undefined : { v6: false, words: [v4] }
}

/** Parses `address[/prefix]`; a bare address is a /32 (IPv4) or /128 (IPv6). */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/')
  const addr = parseIp(slash < 0 ? s : s.slice(0, slash))
  if (addr === undefined) return undefined
  const max = addr.v6 ? 128 : 32
  // Literals, not `{ ...addr, prefix }`: a spread gives each object a map of its own, and
  // cidrContains reads these fields on every evaluation.
  if (slash < 0) return { v6: addr.v6, words: addr.words, prefix: max }
  const p = s.slice(slash + 1)
  if (!/^\d{1,3}$/.test(p)) return undefined
  const prefix = Number(p)
  if (prefix > max) return undefined
  return { v6: addr.v6, words: addr.words, prefix }
}

/** Whether `ip` is inside `cidr` (an address of the other family never is). */
export function cidrContains(cidr: Cidr, ip: IpAddr): boolean {
  if (cidr.v6 !== ip.v6) return false
  let bits = cidr.prefix
  for (let i = 0; bits > 0; i++) {
    const take = Math.min(32, bits)
    const mask = take === 32 ? 0xffffffff : (0xffffffff << (32 - take)) >>> 0
    if ((((cidr.words[i] ?? 0) ^ (ip.words[i] ?? 0)) & mask) >>> 0 !== 0) return false
    bits -= take
  }
  return true
}
