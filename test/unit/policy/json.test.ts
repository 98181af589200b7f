import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineIndex, parseJson, JsonSyntaxError } from '../../../src/policy/json.js'

test('parses every JSON value kind and agrees with JSON.parse on the values', () => {
  const text = '{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9\\ud83d\\ude00"], "b": {}}'
  const v = parseJson(text)
  if (v.kind !== 'object') throw new Error('not an object')
  const a = v.members[0]?.value
  if (a?.kind !== 'array') throw new Error('not an array')
  const expected = (JSON.parse(text) as { a: unknown[] }).a
  assert.deepEqual(
    a.items.map((i) =>
      i.kind === 'number'
        ? Number(i.text)
        : i.kind === 'null'
          ? null
          : 'value' in i
            ? i.value
            : i.kind,
    ),
    expected,
  )
})

test('records where each value starts and ends', () => {
  const text = '{\n  "Statement": [\n    { "Sid": "A" },\n    {}\n  ]\n}'
  const v = parseJson(text)
  if (v.kind !== 'object') throw new Error('not an object')
  const st = v.members[0]?.value
  if (st?.kind !== 'array') throw new Error('not an array')
  const lines = new LineIndex(text)
  assert.deepEqual(lines.position(st.items[0]!.start), { line: 3, column: 5 })
  assert.deepEqual(lines.position(st.items[0]!.end), { line: 3, column: 18 })
  assert.deepEqual(lines.position(st.items[1]!.start), { line: 4, column: 5 })
  assert.deepEqual(lines.position(st.items[1]!.end), { line: 4, column: 6 })
  assert.deepEqual(lines.position(v.start), { line: 1, column: 1 })
  assert.deepEqual(lines.position(v.end), { line: 6, column: 1 })
})

test('CRLF and CR line endings count as one line break', () => {
  const lines = new LineIndex('a\r\nb\rc\nd')
  assert.deepEqual(lines.position(3), { line: 2, column: 1 })
  assert.deepEqual(lines.position(5), { line: 3, column: 1 })
  assert.deepEqual(lines.position(7), { line: 4, column: 1 })
})

test('notes the first duplicate key of an object', () => {
  const v = parseJson('{"a":1,"b":2,"a":3}')
  assert.equal(v.kind === 'object' ? v.duplicate?.key : undefined, 'a')
})

test('rejects what JSON.parse rejects, with the offset where it gave up', () => {
  const bad = [
    '',
    '{',
    '{"a":}',
    '{"a":1,}',
    '[1,]',
    "{'a':1}",
    '{"a":01}',
    '{"a":1.}',
    '{"a":"\\x"}',
    '{"a":"line\nbreak"}',
    '{"a":tru}',
    '\uFEFF{}',
    '{} x',
    'NaN',
    '{"a":"\\u12G4"}',
  ]
  for (const t of bad) {
    assert.throws(() => JSON.parse(t), SyntaxError, `JSON.parse accepts ${JSON.stringify(t)}`)
    assert.throws(() => parseJson(t), JsonSyntaxError, JSON.stringify(t))
  }
  assert.throws(
    () => parseJson('{"a": [1, 2,, 3]}'),
    (e) => e instanceof JsonSyntaxError && e.offset === 12,
  )
})

test('deeply nested input fails cleanly instead of overflowing the stack', () => {
  assert.throws(() => parseJson('['.repeat(100_000)), JsonSyntaxError)
})
