import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  applyJsonPatch,
  escapePointerToken,
  formatPointer,
  parseJsonPatch,
  parsePointer,
  isWebhookError,
} from '../../../src/webhook/index.js'

/** RFC 6902 Appendix A, with its documents and expected results. */
const APPENDIX_A: { name: string; doc: unknown; patch: unknown; result?: unknown }[] = [
  {
    name: 'A.1 adding an object member',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz', value: 'qux' }],
    result: { baz: 'qux', foo: 'bar' },
  },
  {
    name: 'A.2 adding an array element',
    doc: { foo: ['bar', 'baz'] },
    patch: [{ op: 'add', path: '/foo/1', value: 'qux' }],
    result: { foo: ['bar', 'qux', 'baz'] },
  },
  {
    name: 'A.3 removing an object member',
    doc: { baz: 'qux', foo: 'bar' },
    patch: [{ op: 'remove', path: '/baz' }],
    result: { foo: 'bar' },
  },
  {
    name: 'A.4 removing an array element',
    doc: { foo: ['bar', 'qux', 'baz'] },
    patch: [{ op: 'remove', path: '/foo/1' }],
    result: { foo: ['bar', 'baz'] },
  },
  {
    name: 'A.5 replacing a value',
    doc: { baz: 'qux', foo: 'bar' },
    patch: [{ op: 'replace', path: '/baz', value: 'boo' }],
    result: { baz: 'boo', foo: 'bar' },
  },
  {
    name: 'A.6 moving a value',
    doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    result: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  },
  {
    name: 'A.7 moving an array element',
    doc: { foo: ['all', 'grass', 'cows', 'eat'] },
    patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    result: { foo: ['all', 'cows', 'eat', 'grass'] },
  },
  {
    name: 'A.8 testing a value: success',
    doc: { baz: 'qux', foo: ['a', 2, 'c'] },
    patch: [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    result: { baz: 'qux', foo: ['a', 2, 'c'] },
  },
  {
    name: 'A.9 testing a value: error',
    doc: { baz: 'qux' },
    patch: [{ op: 'test', path: '/baz', value: 'bar' }],
  },
  {
    name: 'A.10 adding a nested member object',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }],
    result: { foo: 'bar', child: { grandchild: {} } },
  },
  {
    name: 'A.11 ignoring unrecognized elements',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }],
    result: { foo: 'bar', baz: 'qux' },
  },
  {
    name: 'A.12 adding to a nonexistent target',
    doc: { foo: 'bar' },
    patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }],
  },
  {
    name: 'A.14 ~ escape ordering',
    doc: { '/': 9, '~1': 10 },
    patch: [{ op: 'test', path: '/~01', value: 10 }],
    result: { '/': 9, '~1': 10 },
  },
  {
    name: 'A.15 comparing strings and numbers',
    doc: { '/': 9, '~1': 10 },
    patch: [{ op: 'test', path: '/~01', value: '10' }],
  },
  {
    name: 'A.16 adding an array value',
    doc: { foo: ['bar'] },
    patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
    result: { foo: ['bar', ['abc', 'def']] },
  },
]

for (const c of APPENDIX_A) {
  test(`RFC 6902 ${c.name}`, () => {
    const ops = parseJsonPatch(c.patch)
    if (c.result === undefined) {
      assert.throws(
        () => applyJsonPatch(c.doc, ops),
        (e: unknown) => isWebhookError(e) && e.code === 'ERR_JSON_PATCH_FAILED',
      )
    } else {
      assert.deepEqual(applyJsonPatch(c.doc, ops), c.result)
    }
  })
}

test('RFC 6901 §5: every example pointer resolves to its value', () => {
  const doc = {
    foo: ['bar', 'baz'],
    '': 0,
    'a/b': 1,
    'c%d': 2,
    'e^f': 3,
    'g|h': 4,
    'i\\j': 5,
    'k"l': 6,
    ' ': 7,
    'm~n': 8,
  }
  const cases: [string, unknown][] = [
    ['', doc],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
  ]
  for (const [path, value] of cases) {
    assert.doesNotThrow(
      () => applyJsonPatch(doc, parseJsonPatch([{ op: 'test', path, value }])),
      path,
    )
  }
})

test('pointer tokens escape ~ before / and unescape ~1 before ~0', () => {
  assert.equal(
    escapePointerToken('eks.amazonaws.com/pod-identity'),
    'eks.amazonaws.com~1pod-identity',
  )
  assert.equal(escapePointerToken('~/'), '~0~1')
  assert.equal(formatPointer(['spec', 'containers', 0, 'env', '-']), '/spec/containers/0/env/-')
  assert.deepEqual(parsePointer('/~01/a~1b/~0'), ['~1', 'a/b', '~'])
  assert.deepEqual(parsePointer(''), [])
  assert.deepEqual(parsePointer('/'), [''])
  for (const bad of ['foo', '/a~2', '/a~']) {
    assert.throws(
      () => parsePointer(bad),
      (e: unknown) => isWebhookError(e) && e.code === 'ERR_JSON_PATCH_INVALID',
      bad,
    )
  }
})

test('malformed patch documents are refused with ERR_JSON_PATCH_INVALID', () => {
  const bad: unknown[] = [
    {},
    [1],
    [{ op: 'jump', path: '/a' }],
    [{ op: 'add', value: 1 }],
    [{ op: 'add', path: '/a' }],
    [{ op: 'replace', path: '/a' }],
    [{ op: 'test', path: '/a' }],
    [{ op: 'move', path: '/a' }],
    [{ op: 'copy', path: '/a', from: 3 }],
    [{ op: 'add', path: 'a', value: 1 }],
    [{ op: 'move', path: '/a', from: '/b~3' }],
  ]
  for (const patch of bad) {
    assert.throws(
      () => parseJsonPatch(patch),
      (e: unknown) => isWebhookError(e) && e.code === 'ERR_JSON_PATCH_INVALID',
      JSON.stringify(patch),
    )
  }
  assert.deepEqual(parseJsonPatch([{ op: 'add', path: '/a', value: null }]), [
    { op: 'add', path: '/a', value: null },
  ])
})

test('array indexes: no leading zeros, - only appends, out of range fails', () => {
  const doc = { a: [1, 2] }
  const fails = (patch: unknown) => {
    assert.throws(
      () => applyJsonPatch(doc, parseJsonPatch(patch)),
      (e: unknown) => isWebhookError(e) && e.code === 'ERR_JSON_PATCH_FAILED',
      JSON.stringify(patch),
    )
  }
  fails([{ op: 'add', path: '/a/01', value: 0 }])
  fails([{ op: 'add', path: '/a/3', value: 0 }])
  fails([{ op: 'remove', path: '/a/2' }])
  fails([{ op: 'remove', path: '/a/-' }])
  fails([{ op: 'replace', path: '/a/-', value: 0 }])
  fails([{ op: 'add', path: '/a/x', value: 0 }])
  fails([{ op: 'add', path: '/a/0/b', value: 0 }])
  fails([{ op: 'remove', path: '' }])
  fails([{ op: 'replace', path: '/b', value: 0 }])
  fails([{ op: 'move', from: '/a', path: '/a/0' }])
  assert.deepEqual(applyJsonPatch(doc, parseJsonPatch([{ op: 'add', path: '/a/2', value: 3 }])), {
    a: [1, 2, 3],
  })
  assert.deepEqual(applyJsonPatch(doc, parseJsonPatch([{ op: 'add', path: '/a/0', value: 0 }])), {
    a: [0, 1, 2],
  })
})

test('the whole document: add and replace at "" replace it', () => {
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: [1] }]), [1])
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: 'x' }]), 'x')
})

test('add on an existing member replaces it; copy deep-copies; move to itself is a no-op', () => {
  const doc = { a: { b: [1] }, c: 1 }
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/c', value: 2 }]), {
    a: { b: [1] },
    c: 2,
  })
  const copied = applyJsonPatch(doc, [
    { op: 'copy', from: '/a', path: '/d' },
    { op: 'add', path: '/d/b/-', value: 2 },
  ])
  assert.deepEqual(copied, { a: { b: [1] }, c: 1, d: { b: [1, 2] } })
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'move', from: '/a', path: '/a' }]), doc)
})

test('the input document and the operation values are never changed or aliased', () => {
  const doc = { a: [1], o: { k: 'v' } }
  const value = { x: [1] }
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/a/-', value: 2 },
    { op: 'add', path: '/v', value },
    { op: 'remove', path: '/o/k' },
  ]) as { v: { x: number[] } }
  assert.deepEqual(doc, { a: [1], o: { k: 'v' } })
  out.v.x.push(2)
  assert.deepEqual(value, { x: [1] })
})

test('a failing patch leaves no partial result behind', () => {
  const doc = { a: 1 }
  assert.throws(() =>
    applyJsonPatch(doc, [
      { op: 'add', path: '/b', value: 2 },
      { op: 'test', path: '/a', value: 2 },
    ]),
  )
  assert.deepEqual(doc, { a: 1 })
})

test('__proto__ is an ordinary member: no prototype is ever touched', () => {
  const doc = JSON.parse('{"__proto__":{"x":1}}') as unknown
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/__proto__/polluted', value: true },
    { op: 'add', path: '/constructor', value: { prototype: { polluted: true } } },
  ])
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
  assert.equal(Object.getPrototypeOf(out), Object.prototype)
  assert.equal(
    JSON.stringify(out),
    '{"__proto__":{"x":1,"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  )
  const added = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { y: 1 } }])
  assert.equal(Object.getPrototypeOf(added), Object.prototype)
  assert.ok(Object.hasOwn(added as object, '__proto__'))
})
