import { test } from 'node:test'
import assert from 'node:assert/strict'
import { goJson, goJsonString } from '../../../src/token/index.js'

test('objects are written with keys sorted at every level, undefined members left out', () => {
  assert.equal(
    goJson({
      sub: 's',
      aud: ['b', 'a'],
      'kubernetes.io': { pod: { uid: 'u', name: 'n' }, namespace: 'x' },
      exp: 2,
      iat: 1,
      skip: undefined,
    }),
    '{"aud":["b","a"],"exp":2,"iat":1,"kubernetes.io":{"namespace":"x","pod":{"name":"n","uid":"u"}},"sub":"s"}',
  )
  assert.equal(goJson([]), '[]')
  assert.equal(goJson({}), '{}')
  assert.equal(goJson([true, false, null]), '[true,false,null]')
})

test("strings are escaped as Go's encoder (go-jose's fork) escapes them", () => {
  assert.equal(goJsonString('plain'), '"plain"')
  assert.equal(goJsonString('a&b<c>d'), '"a\\u0026b\\u003cc\\u003ed"')
  assert.equal(goJsonString('q"b\\'), '"q\\"b\\\\"')
  assert.equal(goJsonString('\n\r\t'), '"\\n\\r\\t"')
  assert.equal(goJsonString('\b\f\u0000\u001f'), '"\\u0008\\u000c\\u0000\\u001f"')
  assert.equal(goJsonString('\u2028\u2029'), '"\\u2028\\u2029"')
  assert.equal(goJsonString('é ✓ 😀'), '"é ✓ 😀"')
  assert.equal(goJsonString('lone \ud800 surrogate \udc00'), '"lone \\ufffd surrogate \\ufffd"')
  // Still valid JSON that decodes to the same text (for well-formed strings).
  for (const s of ['a&b<c>d', '\b\f\n', '\u2028x', 'é 😀'])
    assert.equal(JSON.parse(goJsonString(s)), s)
})

test('only integers and plain data are encoded', () => {
  assert.equal(goJson(1_700_000_000), '1700000000')
  assert.equal(goJson(-5), '-5')
  assert.throws(() => goJson(1.5), RangeError)
  assert.throws(() => goJson(Number.NaN), RangeError)
  assert.throws(() => goJson(2 ** 60), RangeError)
  assert.throws(() => goJson(() => 1), TypeError)
  assert.throws(() => goJson(undefined), TypeError)
  assert.throws(() => goJson(10n), TypeError)
})
