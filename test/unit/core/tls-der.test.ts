import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  integer,
  namedBits,
  oid,
  readChildren,
  readElement,
  sequence,
  set,
  time,
  unsignedInteger,
} from '../../../src/core/tls/der.js'
import { ipBytes } from '../../../src/core/tls/ip.js'

const hex = (b: Buffer): string => b.toString('hex')

test('INTEGER is minimal and never negative', () => {
  assert.equal(hex(integer(0)), '020100')
  assert.equal(hex(integer(127)), '02017f')
  assert.equal(hex(integer(128)), '02020080')
  assert.equal(hex(integer(256)), '02020100')
  assert.equal(hex(unsignedInteger(Buffer.from('0000ff', 'hex'))), '020200ff')
  assert.throws(() => integer(-1), RangeError)
})

test('OBJECT IDENTIFIER encodes multi-byte arcs (X.690 §8.19)', () => {
  assert.equal(hex(oid('2.5.29.17')), '0603551d11')
  assert.equal(hex(oid('1.2.840.10045.4.3.2')), '06082a8648ce3d040302')
  assert.equal(hex(oid('1.3.6.1.5.5.7.3.1')), '06082b06010505070301')
  assert.throws(() => oid('1'), RangeError)
  assert.throws(() => oid('1.x'), RangeError)
})

test('named BIT STRING drops trailing zero bits (keyUsage)', () => {
  assert.equal(hex(namedBits([0])), '03020780') // digitalSignature
  assert.equal(hex(namedBits([5, 6])), '03020106') // keyCertSign, cRLSign
  assert.equal(hex(namedBits([0, 5, 6])), '03020186')
  assert.equal(hex(namedBits([0, 2])), '030205a0') // digitalSignature, keyEncipherment
  assert.equal(hex(namedBits([8])), '0303070080')
})

test('long lengths use the 0x8N form', () => {
  const s = sequence(Buffer.alloc(300))
  assert.equal(hex(s.subarray(0, 4)), '3082012c')
  const el = readElement(s)
  assert.equal(el.value.length, 300)
  assert.equal(el.end, 304)
  assert.deepEqual(el.raw, s)
})

test('SET OF sorts its elements by encoding', () => {
  assert.equal(hex(set(integer(2), integer(1))), '3106020101020102')
})

test('Time is UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280)', () => {
  assert.equal(time(Date.UTC(2026, 0, 2, 3, 4, 5, 678)).toString('latin1', 2), '260102030405Z')
  assert.equal(time(Date.UTC(2026, 0, 2, 3, 4, 5)).subarray(0, 1)[0], 0x17)
  const g = time(Date.UTC(2050, 0, 1))
  assert.equal(g[0], 0x18)
  assert.equal(g.toString('latin1', 2), '20500101000000Z')
  assert.equal(time(Date.UTC(1949, 11, 31))[0], 0x18)
})

test('readChildren walks a SEQUENCE', () => {
  const s = sequence(integer(1), oid('2.5.4.3'))
  const kids = readChildren(readElement(s).value)
  assert.deepEqual(
    kids.map((k) => k.tag),
    [0x02, 0x06],
  )
  assert.throws(() => readElement(Buffer.from('3005020101', 'hex')), /truncated/)
})

test('IP addresses become 4 or 16 bytes', () => {
  assert.equal(hex(ipBytes('127.0.0.1')), '7f000001')
  assert.equal(hex(ipBytes('::1')), '00000000000000000000000000000001')
  assert.equal(hex(ipBytes('fe80::1:2')), 'fe800000000000000000000000010002')
  assert.equal(hex(ipBytes('2001:db8::')), '20010db8000000000000000000000000')
  assert.equal(hex(ipBytes('::ffff:10.0.0.1')), '00000000000000000000ffff0a000001')
  assert.equal(hex(ipBytes('1:2:3:4:5:6:7:8')), '00010002000300040005000600070008')
  assert.throws(() => ipBytes('localhost'), RangeError)
})
