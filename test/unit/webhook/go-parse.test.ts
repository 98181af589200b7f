import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseCsvFirstRecord, parseGoBool, parseGoInt64 } from '../../../src/webhook/index.js'

test('parseGoBool accepts exactly the spellings of strconv.ParseBool', () => {
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(t), true, t)
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(f), false, f)
  for (const bad of ['', 'yes', 'no', 'tRUE', ' true', 'true ', 'on', '2']) {
    assert.equal(parseGoBool(bad), undefined, JSON.stringify(bad))
  }
})

test('parseGoInt64 accepts what strconv.ParseInt(s, 10, 64) accepts and a number can hold', () => {
  assert.equal(parseGoInt64('3600'), 3600)
  assert.equal(parseGoInt64('+600'), 600)
  assert.equal(parseGoInt64('-1'), -1)
  assert.equal(parseGoInt64('0'), 0)
  assert.equal(parseGoInt64('007'), 7)
  assert.equal(parseGoInt64('9007199254740991'), 9007199254740991)
  // In int64 but not exactly representable: refused rather than rounded.
  assert.equal(parseGoInt64('9223372036854775807'), undefined)
  // Outside int64, as Go refuses.
  assert.equal(parseGoInt64('9223372036854775808'), undefined)
  for (const bad of ['', '1h', ' 1', '1 ', '1_000', '0x10', '1e3', '1.0', '+', '-']) {
    assert.equal(parseGoInt64(bad), undefined, JSON.stringify(bad))
  }
})

test('parseCsvFirstRecord reads the first record as encoding/csv does', () => {
  const cases: [string, string[] | undefined][] = [
    ['sidecar', ['sidecar']],
    ['a,b', ['a', 'b']],
    [' a , b ', [' a ', ' b ']],
    ['a,', ['a', '']],
    [',', ['', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['"multi\nline",x', ['multi\nline', 'x']],
    ['"crlf\r\nin",x', ['crlf\nin', 'x']],
    ['first\nsecond', ['first']],
    ['first\r\nsecond', ['first']],
    ['\n\r\nafter-empty-lines', ['after-empty-lines']],
    ['a\r', ['a']],
    ['"q"\nnext', ['q']],
    ['', undefined],
    ['\n', undefined],
    ['a"b', undefined],
    ['"unterminated', undefined],
    ['"a"b', undefined],
    ['"a" ,b', undefined],
  ]
  for (const [text, want] of cases) {
    assert.deepEqual(parseCsvFirstRecord(text), want, JSON.stringify(text))
  }
})
