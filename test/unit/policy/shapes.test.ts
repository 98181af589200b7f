/**
 * The compiled objects that evaluation reads on every call share one V8 hidden class (map)
 * each. An object literal that starts with a spread (`{ ...base, more }`) gets a map of its
 * own per object: with thousands of compiled conditions, the evaluator's field loads went
 * megamorphic and missed V8's stub cache, and evaluation slowed several-fold, more on mixed
 * identity and trust workloads. V8's own %HaveSameMap says whether two objects share a map.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setFlagsFromString } from 'node:v8'
import { BASE_OPERATORS } from '../../../src/policy/index.js'
import { parseCidr } from '../../../src/policy/ip.js'
import { doc, policy } from './helpers.js'

type SameMap = (a: object, b: object) => boolean

/** V8's %HaveSameMap, through natives syntax switched on at run time; undefined without it. */
function sameMapProbe(): SameMap | undefined {
  try {
    setFlagsFromString('--allow-natives-syntax')
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the only way to reach a V8 intrinsic
    const f = new Function('a', 'b', 'return %HaveSameMap(a, b)') as SameMap
    return f({}, {}) ? f : undefined
  } catch {
    return undefined
  }
}

const sameMap = sameMapProbe()
const skip =
  sameMap === undefined
    ? 'SKIPPED: this V8 has no %HaveSameMap, so hidden classes cannot be compared'
    : false
if (skip !== false) console.log(`# ${skip}`)

/** The number of distinct maps among `objects`. */
function maps(objects: readonly object[]): number {
  const distinct: object[] = []
  for (const o of objects) if (!distinct.some((d) => sameMap?.(d, o) === true)) distinct.push(o)
  return distinct.length
}

const VALUE: Record<string, string> = {
  String: 'x',
  Numeric: '1',
  Date: '2020-01-01',
  Bool: 'true',
  Binary: 'QUJD',
  IpAddress: '10.0.0.0/8',
  NotIpAddress: '10.0.0.0/8',
  Arn: 'arn:aws:s3:::bucket',
  Null: 'true',
}
const valueFor = (op: string): string => {
  const base = op.slice(op.indexOf(':') + 1)
  return Object.entries(VALUE).find(([prefix]) => base.startsWith(prefix))?.[1] ?? 'x'
}

test('compiled conditions: every operator spec shares one hidden class', { skip }, () => {
  const operators = BASE_OPERATORS.flatMap((op) =>
    op === 'Null' ? [op, `ForAnyValue:${op}`] : [op, `${op}IfExists`, `ForAllValues:${op}`],
  )
  const specs: object[] = []
  for (let copy = 0; copy < 5; copy++) {
    const p = policy(
      doc(
        operators.map((op) => ({
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { [op]: { 'aws:SomeKey': valueFor(op) } },
        })),
      ),
    )
    for (const s of p.statements) for (const c of s.conditions) specs.push(c.spec)
  }
  assert.equal(specs.length, 5 * operators.length)
  assert.equal(maps(specs), 1)
})

test(
  'CIDR blocks share one hidden class, IPv4 and IPv6, with or without a prefix',
  { skip },
  () => {
    const cidrs: object[] = []
    for (let copy = 0; copy < 20; copy++)
      for (const text of ['10.0.0.0/8', '192.0.2.1', '::1', '2001:db8::/32']) {
        const c = parseCidr(text)
        assert.ok(c !== undefined, text)
        cidrs.push(c)
      }
    assert.equal(maps(cidrs), 1)
  },
)
