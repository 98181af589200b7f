import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeBase64, parseBool, parseDate, parseNumber } from '../../../src/policy/values.js'
import { cidrContains, parseCidr, parseIp } from '../../../src/policy/ip.js'

test('numbers: decimal, signed, fractions, exponents; nothing else', () => {
  for (const [s, n] of [
    ['10', 10],
    ['-3', -3],
    ['+4', 4],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1.5E-2', 0.015],
    ['007', 7],
  ] as const)
    assert.equal(parseNumber(s), n, s)
  for (const s of ['', ' 1', '1 ', '0x10', 'Infinity', 'NaN', '1e', '--1', '1,000', 'e3', '.', '-'])
    assert.ok(Number.isNaN(parseNumber(s)), JSON.stringify(s))
})

test('dates: epoch seconds and the W3C ISO 8601 profile', () => {
  const utc = (...a: [number, number, number, number?, number?, number?, number?]) =>
    Date.UTC(a[0], a[1] - 1, a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0, a[6] ?? 0)
  const cases: [string, number][] = [
    ['1700000000', 1_700_000_000_000],
    ['0', 0],
    ['1700000000.5', 1_700_000_000_500],
    ['2024', 2024_000],
    ['2024-02', utc(2024, 2, 1)],
    ['2024-02-29', utc(2024, 2, 29)],
    ['2013-06-30T00:00:00Z', utc(2013, 6, 30)],
    ['2013-06-30T12:34Z', utc(2013, 6, 30, 12, 34)],
    ['2013-06-30T12:34:56.789Z', utc(2013, 6, 30, 12, 34, 56, 789)],
    ['2013-06-30T12:34:56+02:00', utc(2013, 6, 30, 10, 34, 56)],
    ['2013-06-30T12:34:56-0130', utc(2013, 6, 30, 14, 4, 56)],
    ['2013-06-30T12:34:56', utc(2013, 6, 30, 12, 34, 56)],
    ['2013-06-30t12:34:56z', utc(2013, 6, 30, 12, 34, 56)],
    ['0050-01-01', -60_589_296_000_000],
  ]
  for (const [s, ms] of cases) assert.equal(parseDate(s), ms, s)
  for (const s of [
    '',
    'now',
    '2023-02-29',
    '2024-13-01',
    '2024-01-32',
    '2024-01-01T24:00Z',
    '2024-01-01T10:60Z',
    '2024-01-01T10:00:60Z',
    '2024-1-1',
    '2024-01-01T10',
    '2024-01-01 10:00Z',
    '2024-01-01T10:00Zjunk',
    '-5',
    '1e3x',
  ])
    assert.ok(Number.isNaN(parseDate(s)), JSON.stringify(s))
})

test('booleans are true or false in any case', () => {
  assert.equal(parseBool('true'), true)
  assert.equal(parseBool('FALSE'), false)
  assert.equal(parseBool('yes'), undefined)
  assert.equal(parseBool(''), undefined)
})

test('base64 decodes like Buffer, padding optional, and rejects the rest', () => {
  for (const s of ['', 'QQ==', 'QUI=', 'QUJD', 'aGVsbG8gd29ybGQ=', '+/+/', 'AAEC'])
    assert.equal(decodeBase64(s), Buffer.from(s, 'base64').toString('latin1'), s)
  assert.equal(decodeBase64('QQ'), 'A')
  assert.equal(decodeBase64('QUI'), 'AB')
  for (const s of ['Q', 'QQ=', 'QQ===', 'Q Q=', 'QQ-_', 'ab$c', '=QQQ'])
    assert.equal(decodeBase64(s), undefined, s)
})

test('IPv4 and IPv6 addresses and CIDR blocks', () => {
  assert.deepEqual(parseIp('203.0.113.7'), { v6: false, words: [0xcb007107] })
  assert.deepEqual(parseIp('2001:db8::1')?.words, [0x20010db8, 0, 0, 1])
  assert.deepEqual(parseIp('::')?.words, [0, 0, 0, 0])
  assert.deepEqual(parseIp('::ffff:192.0.2.1')?.words, [0, 0, 0xffff, 0xc0000201])
  assert.deepEqual(parseIp('1:2:3:4:5:6:7:8')?.words, [0x10002, 0x30004, 0x50006, 0x70008])
  for (const s of [
    '256.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '',
    'a.b.c.d',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    ':1',
    'g::1',
    '1:2:3:4:5:6:7::8:9',
  ])
    assert.equal(parseIp(s), undefined, s)
  const c = (cidr: string, ip: string) => cidrContains(parseCidr(cidr)!, parseIp(ip)!)
  assert.equal(c('203.0.113.0/24', '203.0.113.255'), true)
  assert.equal(c('203.0.113.0/24', '203.0.114.0'), false)
  assert.equal(c('203.0.113.9', '203.0.113.9'), true)
  assert.equal(c('203.0.113.9', '203.0.113.8'), false)
  assert.equal(c('0.0.0.0/0', '8.8.8.8'), true)
  assert.equal(c('10.1.2.3/8', '10.200.0.1'), true)
  assert.equal(c('2001:DB8:1234:5678::/64', '2001:db8:1234:5678:ffff::1'), true)
  assert.equal(c('2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1'), false)
  assert.equal(c('2001:db8::/33', '2001:db8:7fff::'), true)
  assert.equal(c('2001:db8::/33', '2001:db8:8000::'), false)
  assert.equal(c('::/0', '203.0.113.1'), false)
  assert.equal(c('0.0.0.0/0', '::1'), false)
  for (const s of ['1.2.3.4/33', '::/129', '1.2.3.4/', '1.2.3.4/a', '1.2.3.4/-1'])
    assert.equal(parseCidr(s), undefined, s)
})
