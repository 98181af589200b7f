import { isIPv4, isIPv6 } from 'node:net'

/** The 4 or 16 network-order bytes of an IP address, as an iPAddress SAN entry holds them. */
export function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number))
  if (!isIPv6(address)) throw new RangeError(`not an IP address: ${address}`)
  let text = address.split('%')[0] ?? address
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4?.[1] !== undefined) {
    const b = v4[1].split('.').map(Number)
    const hi = (((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16)
    const lo = (((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16)
    text = text.slice(0, -v4[1].length) + `${hi}:${lo}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups]
  const out = Buffer.alloc(16)
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2))
  return out
}
