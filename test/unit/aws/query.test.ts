import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  parseForm,
  QueryParams,
  QueryValidation,
  isAwsError,
  STS_ERRORS,
  IAM_ERRORS,
} from '../../../src/aws/index.js'

/** Bodies captured from the real clients (botocore 1.43.11, @aws-sdk/client-sts 3.1169.0). */
const BOTOCORE_EMPTY_POLICY_ARNS =
  'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&WebIdentityToken=eyJ.a.b&PolicyArns='
const BOTOCORE_POLICY_ARNS =
  'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&WebIdentityToken=eyJ.a.b&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX&Policy=%7B%22a%22%3A+%22b+c%22%7D'
const JS_V3_EMPTY_POLICY_ARNS =
  'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&WebIdentityToken=eyJ.a.b&PolicyArns=&Policy=%7B%22a%22%3A%20%22b%20c%22%7D'
const BOTOCORE_TAGS =
  'Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value='
const BOTOCORE_SIMULATE =
  'Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=s3%3AGetObject&ActionNames.member.2=iam%3AGetRole&ContextEntries.member.1.ContextKeyName=aws%3ASourceIp&ContextEntries.member.1.ContextKeyValues.member.1=1.2.3.4&ContextEntries.member.1.ContextKeyValues.member.2=5.6.7.8&ContextEntries.member.1.ContextKeyType=ipList'

const params = (body: string): QueryParams => QueryParams.from(parseForm(body))

test('botocore and JS v3 bodies: scalars, `PolicyArns=` as an empty list, + and %20 as spaces', () => {
  for (const body of [BOTOCORE_EMPTY_POLICY_ARNS, JS_V3_EMPTY_POLICY_ARNS]) {
    const p = params(body)
    assert.equal(p.action, 'AssumeRoleWithWebIdentity')
    assert.equal(p.version, '2011-06-15')
    assert.equal(p.string('RoleArn'), 'arn:aws:iam::111122223333:role/app')
    assert.equal(p.string('WebIdentityToken'), 'eyJ.a.b')
    assert.deepEqual(p.structs('PolicyArns'), [])
    assert.deepEqual(p.list('PolicyArns'), [])
    assert.equal(p.has('PolicyArns'), true)
    assert.equal(p.string('DurationSeconds'), undefined)
  }
  assert.equal(params(JS_V3_EMPTY_POLICY_ARNS).string('Policy'), '{"a": "b c"}')
  assert.equal(params(BOTOCORE_POLICY_ARNS).string('Policy'), '{"a": "b c"}')
})

test('lists of structures: PolicyArns.member.N.arn', () => {
  const arns = params(BOTOCORE_POLICY_ARNS)
    .structs('PolicyArns')
    ?.map((s) => s.string('arn'))
  assert.deepEqual(arns, ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/X'])
  assert.equal(params('Action=X').structs('PolicyArns'), undefined, 'absent is undefined')
})

test('tags as a map of Key/Value members, empty values and order kept', () => {
  const p = params(BOTOCORE_TAGS)
  assert.deepEqual(p.mapEntries('Tags', { entry: 'member', key: 'Key', value: 'Value' }), [
    ['k1', 'v1'],
    ['k2', ''],
  ])
  assert.deepEqual(
    params(
      'Attributes.entry.2.key=b&Attributes.entry.2.value=2&Attributes.entry.1.key=a',
    ).mapEntries('Attributes'),
    [
      ['a', undefined],
      ['b', '2'],
    ],
  )
})

test('nested lists inside structures (SimulateCustomPolicy ContextEntries)', () => {
  const p = params(BOTOCORE_SIMULATE)
  assert.deepEqual(p.list('ActionNames'), ['s3:GetObject', 'iam:GetRole'])
  assert.deepEqual(p.list('PolicyInputList'), ['{}'])
  const [entry, ...rest] = p.structs('ContextEntries') ?? []
  assert.equal(rest.length, 0)
  assert.equal(entry?.string('ContextKeyName'), 'aws:SourceIp')
  assert.equal(entry.string('ContextKeyType'), 'ipList')
  assert.deepEqual(entry.list('ContextKeyValues'), ['1.2.3.4', '5.6.7.8'])
  assert.equal(entry.prefix, 'ContextEntries.member.1.')
  assert.deepEqual(entry.names().sort(), [
    'ContextKeyName',
    'ContextKeyType',
    'ContextKeyValues.member.1',
    'ContextKeyValues.member.2',
  ])
})

test('list members in numeric index order; gaps skipped; bad indices ignored', () => {
  const p = params(
    'L.member.10=ten&L.member.2=two&L.member.1=one&L.member.0=zero&L.member.01=lead&L.member.x=x&L.member.3.sub=s',
  )
  assert.deepEqual(p.list('L'), ['one', 'two', 'ten'])
})

test('the first of duplicate names wins; empty and valueless pieces are tolerated', () => {
  const p = params('Action=A&Action=B&&Flag&=orphan&X=1&')
  assert.equal(p.action, 'A')
  assert.equal(p.string('Flag'), '')
  assert.equal(p.string('X'), '1')
  assert.equal(params('Action=').action, undefined)
})

test('form decoding: + is a space, %XX is UTF-8, literal non-ASCII passes through', () => {
  assert.deepEqual(parseForm('a=x+y%2Bz&b=%E2%9C%93&c=✓&d=%7e'), [
    ['a', 'x y+z'],
    ['b', '✓'],
    ['c', '✓'],
    ['d', '~'],
  ])
  assert.deepEqual(parseForm(''), [])
})

test('bad escapes and invalid UTF-8 are MalformedQueryString, never a crash', () => {
  for (const bad of ['a=%ZZ', 'a=%', 'a=%4', 'a=%FF', '%C3%28=1', 'a=%ED%A0%80'])
    assert.throws(
      () => parseForm(bad),
      (e) => isAwsError(e, 'MalformedQueryString') && e.status === 404,
      bad,
    )
})

const SESSION_RULE = {
  required: true,
  min: 2,
  max: 64,
  pattern: /^[\w+=,.@-]*$/,
  patternText: '[\\w+=,.@-]*',
} as const

test('validation collects every violation into one ValidationError, AWS-worded', () => {
  const v = new QueryValidation(
    params('RoleSessionName=bad%20name!&DurationSeconds=100'),
    STS_ERRORS.ValidationError,
  )
  assert.equal(v.string('RoleArn', { required: true, min: 20 }), '')
  assert.equal(v.string('RoleSessionName', SESSION_RULE), 'bad name!')
  assert.equal(v.int('DurationSeconds', { min: 900, max: 43200 }), 100)
  assert.throws(
    () => {
      v.check()
    },
    (e) => {
      assert.ok(isAwsError(e, 'ValidationError'))
      assert.equal(e.entry, STS_ERRORS.ValidationError)
      assert.equal(e.status, 400)
      assert.equal(
        e.message,
        "3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
          "Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; " +
          "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      )
      return true
    },
  )
})

test('one violation reads "1 validation error detected"; none passes', () => {
  const one = new QueryValidation(params('RoleSessionName=x'))
  one.string('RoleSessionName', SESSION_RULE)
  assert.equal(
    one.error()?.message,
    "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
  )
  const ok = new QueryValidation(params('RoleSessionName=good-name&DurationSeconds=3600'))
  ok.string('RoleSessionName', SESSION_RULE)
  assert.equal(ok.int('DurationSeconds', { min: 900, max: 43200 }), 3600)
  assert.equal(ok.int('Missing'), undefined)
  ok.check()
  assert.equal(ok.error(), undefined)
})

test('sensitive values are never echoed', () => {
  const secret = 'x'.repeat(20001)
  const v = new QueryValidation(params(`WebIdentityToken=${secret}`))
  v.string('WebIdentityToken', { required: true, min: 4, max: 20000, sensitive: true })
  const e = v.error()
  assert.equal(
    e?.message,
    "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
  )
})

test('integers: bounds, and a non-integer is InvalidParameterValue at once', () => {
  const v = new QueryValidation(params('D=43201&E=12.5&F=%201%20'))
  v.int('D', { max: 43200 })
  assert.equal(v.problems.length, 1)
  assert.match(v.problems[0]!, /Member must have value less than or equal to 43200$/)
  assert.equal(v.int('F'), 1, 'surrounding spaces are tolerated')
  for (const bad of ['E=12.5', 'E=abc', 'E=', 'E=1e3', 'E=99999999999999999'])
    assert.throws(
      () => new QueryValidation(params(bad)).int('E'),
      (e) =>
        isAwsError(e, 'InvalidParameterValue') &&
        e.message === `Value (${bad.slice(2)}) for parameter E is invalid. Expected an integer.`,
      bad,
    )
})

test('lists: required, size bounds; member names for nested values; IAM entry', () => {
  const v = new QueryValidation(
    params('ClientIDList.member.1=a&ClientIDList.member.2=b&ThumbprintList='),
    IAM_ERRORS.ValidationError,
  )
  assert.deepEqual(v.list('ClientIDList', { max: 1 }), ['a', 'b'])
  assert.deepEqual(v.list('ThumbprintList', { required: true, min: 1 }), [])
  assert.deepEqual(v.list('Absent', { required: true }), [])
  const tag = params('Tags.member.1.Key=').structs('Tags')![0]!
  const nested = new QueryValidation(tag, IAM_ERRORS.ValidationError, 'tags.1.member.')
  nested.string('Key', { min: 1 })
  assert.equal(
    nested.problems[0],
    "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
  )
  const e = v.error()
  assert.equal(e?.entry, IAM_ERRORS.ValidationError)
  assert.equal(
    e.message,
    "3 validation errors detected: Value '[a, b]' at 'clientIDList' failed to satisfy constraint: Member must have length less than or equal to 1; " +
      "Value '[]' at 'thumbprintList' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value null at 'absent' failed to satisfy constraint: Member must not be null",
  )
})

/** `n` ContextEntries of two values each, as botocore spells them. */
function contextPairs(n: number): [string, string][] {
  const out: [string, string][] = []
  for (let i = 1; i <= n; i++) {
    const at = `ContextEntries.member.${i}`
    out.push([`${at}.ContextKeyName`, `aws:k${i}`], [`${at}.ContextKeyType`, 'stringList'])
    out.push([`${at}.ContextKeyValues.member.1`, 'a'], [`${at}.ContextKeyValues.member.2`, 'b'])
  }
  return out
}

/** Reads every entry with its values; the best of a few runs, in milliseconds. */
function readAllMs(n: number): number {
  const pairs = contextPairs(n)
  let best = Infinity
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now()
    const entries = QueryParams.from(pairs).structs('ContextEntries') ?? []
    let values = 0
    for (const e of entries) values += (e.list('ContextKeyValues') ?? []).length
    best = Math.min(best, performance.now() - t0)
    assert.equal(values, 2 * n)
  }
  return best
}

/**
 * A linear reference over the same input: every name into a Map and each of its dotted
 * prefixes into a Set, the best of a few runs. Its time grows with the same memory effects
 * (cache misses, GC of many short strings) as the real reading, so dividing by it leaves
 * only what the algorithm adds.
 */
function referenceMs(n: number): number {
  const pairs = contextPairs(n)
  let best = Infinity
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now()
    const names = new Map<string, string>()
    const prefixes = new Set<string>()
    for (const [k, v] of pairs) {
      names.set(k, v)
      let at = k.indexOf('.')
      while (at !== -1) {
        prefixes.add(k.slice(0, at))
        at = k.indexOf('.', at + 1)
      }
    }
    best = Math.min(best, performance.now() - t0)
    assert.ok(prefixes.size > n)
  }
  return best
}

test('reading nested lists is linear in the parameters: 8× the context entries grows as a linear pass does', () => {
  readAllMs(1000) // warm up the JIT
  referenceMs(1000)
  // Interleaved, the best of three each: one run can meet a GC pause or a busy neighbour.
  const best = { small: Infinity, large: Infinity, refSmall: Infinity, refLarge: Infinity }
  for (let trial = 0; trial < 3; trial++) {
    best.small = Math.min(best.small, readAllMs(2000))
    best.refSmall = Math.min(best.refSmall, referenceMs(2000))
    best.large = Math.min(best.large, readAllMs(16000))
    best.refLarge = Math.min(best.refLarge, referenceMs(16000))
  }
  // Linear reading grows as the reference does (a ratio near 1); the old per-entry scan of
  // every parameter grew 8× faster (64× against 8×), and 16,000 entries took seconds.
  const growth = best.large / best.small / (best.refLarge / best.refSmall)
  assert.ok(
    growth < 2.5,
    `2,000 entries: ${best.small} ms, 16,000: ${best.large} ms; the linear reference ` +
      `${best.refSmall} ms and ${best.refLarge} ms: ${growth.toFixed(2)}× its growth`,
  )
  assert.ok(best.large < 1000, `16,000 entries took ${best.large} ms`)
})

test('a parameter name of many dots is indexed to a bounded depth, not its length squared', () => {
  const name = 'a.'.repeat(200_000) + 'b'
  const t0 = performance.now()
  const p = QueryParams.from([[name, 'x']])
  assert.equal(p.string(name), 'x')
  assert.equal(p.has('a'), true)
  assert.ok(performance.now() - t0 < 1000)
})
