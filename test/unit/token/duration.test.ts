import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatDuration, parseDuration } from '../../../src/token/index.js'

test('Go durations and whole seconds', () => {
  const cases: [string, number][] = [
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1h0m0s', 3600],
    ['1.5h', 5400],
    ['.5m', 30],
    ['2h45m30s', 9930],
    ['2000ms', 2],
    ['3000000us', 3],
    ['4000000000ns', 4],
    ['+10m', 600],
    ['0', 0],
    ['3600', 3600],
    ['600', 600],
    ['24h', 86400],
    ['8760h', 31_536_000],
  ]
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text)
})

test('bad durations get one line naming the flag and the value', () => {
  assert.throws(() => parseDuration('1500ms', '--duration'), {
    name: 'InputError',
    message: "--duration must be a whole number of seconds, got '1500ms'",
  })
  assert.throws(() => parseDuration('-10m', '--duration'), {
    message: "--duration must not be negative, got '-10m'",
  })
  for (const bad of ['', 'h', '1d', '1 h', '1h 30m', '.h', 'ten minutes', '1e3s', '1hh', '1.2.3s'])
    assert.throws(
      () => parseDuration(bad, '--duration'),
      /^InputError: --duration: invalid duration/,
      bad,
    )
  assert.throws(() => parseDuration('9999999999h'), /invalid duration/)
  assert.throws(() => parseDuration('99999999999999999999'), /invalid duration/)
})

test('seconds print as short Go durations', () => {
  assert.equal(formatDuration(3600), '1h')
  assert.equal(formatDuration(5400), '1h30m')
  assert.equal(formatDuration(90), '1m30s')
  assert.equal(formatDuration(0), '0s')
  assert.equal(parseDuration(formatDuration(93_784)), 93_784)
})
