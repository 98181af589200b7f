import { test } from 'node:test'
import assert from 'node:assert/strict'
import { holds, list, s, v } from './helpers.js'

test('StringEquals: exact and case-sensitive; values ORed; absent key is false', () => {
  const c = { StringEquals: { 'aws:RequestTag/team': ['red', 'blue'] } }
  assert.equal(holds(c, { 'aws:RequestTag/team': s('red') }), true)
  assert.equal(holds(c, { 'aws:RequestTag/team': s('blue') }), true)
  assert.equal(holds(c, { 'aws:RequestTag/team': s('Red') }), false)
  assert.equal(holds(c, { 'aws:RequestTag/team': s('re') }), false)
  assert.equal(holds(c, {}), false)
})

test('StringNotEquals: none of the values; values act as AND; absent key is true', () => {
  const c = { StringNotEquals: { 'aws:RequestTag/team': ['red', 'blue'] } }
  assert.equal(holds(c, { 'aws:RequestTag/team': s('green') }), true)
  assert.equal(holds(c, { 'aws:RequestTag/team': s('red') }), false)
  assert.equal(holds(c, { 'aws:RequestTag/team': s('blue') }), false)
  assert.equal(holds(c, { 'aws:RequestTag/team': s('Red') }), true)
  assert.equal(holds(c, {}), true)
})

test('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase ignore case', () => {
  assert.equal(
    holds({ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': s('alice') }),
    true,
  )
  assert.equal(
    holds({ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': s('bob') }),
    false,
  )
  assert.equal(
    holds(
      { StringNotEqualsIgnoreCase: { 'aws:username': 'ALICE' } },
      { 'aws:username': s('alice') },
    ),
    false,
  )
  assert.equal(
    holds({ StringNotEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': s('bob') }),
    true,
  )
  assert.equal(holds({ StringNotEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, {}), true)
})

test('StringLike and StringNotLike: * and ?, case-sensitive; wildcards are literal in StringEquals', () => {
  const sub = 'oidc.example.com:sub'
  const like = { StringLike: { [sub]: 'system:serviceaccount:team-?:*' } }
  assert.equal(holds(like, { [sub]: s('system:serviceaccount:team-a:app') }), true)
  assert.equal(holds(like, { [sub]: s('system:serviceaccount:team-ab:app') }), false)
  assert.equal(holds(like, { [sub]: s('System:serviceaccount:team-a:app') }), false)
  const notLike = { StringNotLike: { [sub]: ['*:kube-system:*', '*:admin'] } }
  assert.equal(holds(notLike, { [sub]: s('system:serviceaccount:default:app') }), true)
  assert.equal(holds(notLike, { [sub]: s('system:serviceaccount:kube-system:x') }), false)
  assert.equal(holds(notLike, { [sub]: s('system:serviceaccount:default:admin') }), false)
  assert.equal(holds(notLike, {}), true)
  assert.equal(holds({ StringEquals: { [sub]: 'a*' } }, { [sub]: s('abc') }), false)
  assert.equal(holds({ StringEquals: { [sub]: 'a*' } }, { [sub]: s('a*') }), true)
})

test('condition key names are case-insensitive', () => {
  assert.equal(
    holds({ StringEquals: { 'AWS:PrincipalTag/Team': 'x' } }, { 'aws:principaltag/team': s('x') }),
    true,
  )
  assert.equal(
    holds({ StringEquals: { 'aws:principaltag/team': 'x' } }, { 'AWS:PrincipalTag/Team': s('x') }),
    true,
  )
})

test('keys and operators are ANDed', () => {
  const c = {
    StringEquals: { 'a:one': '1', 'a:two': '2' },
    StringLike: { 'a:three': '3*' },
  }
  const all = { 'a:one': s('1'), 'a:two': s('2'), 'a:three': s('33') }
  assert.equal(holds(c, all), true)
  assert.equal(holds(c, { ...all, 'a:two': s('x') }), false)
  assert.equal(holds(c, { ...all, 'a:three': s('x') }), false)
  assert.equal(holds(c, { 'a:one': s('1'), 'a:two': s('2') }), false)
})

test('...IfExists: true when the key is absent, the base operator otherwise', () => {
  const c = { StringEqualsIfExists: { 'ec2:InstanceType': ['t2.micro', 't2.small'] } }
  assert.equal(holds(c, {}), true)
  assert.equal(holds(c, { 'ec2:InstanceType': s('t2.micro') }), true)
  assert.equal(holds(c, { 'ec2:InstanceType': s('m5.large') }), false)
  assert.equal(holds({ NumericLessThanIfExists: { 'a:n': '5' } }, {}), true)
  assert.equal(
    holds({ NumericLessThanIfExists: { 'a:n': '5' } }, { 'a:n': v('numeric', '7') }),
    false,
  )
  assert.equal(holds({ StringNotLikeIfExists: { 'a:n': 'x*' } }, {}), true)
})

test('Numeric operators compare numbers; unreadable numbers fail either way', () => {
  const n = (op: string, policy: string, value: string) =>
    holds({ [op]: { 's3:max-keys': policy } }, { 's3:max-keys': v('numeric', value) })
  assert.equal(n('NumericEquals', '10', '10.0'), true)
  assert.equal(n('NumericEquals', '10', '11'), false)
  assert.equal(n('NumericNotEquals', '10', '11'), true)
  assert.equal(n('NumericNotEquals', '10', '10'), false)
  assert.equal(n('NumericLessThan', '10', '9.5'), true)
  assert.equal(n('NumericLessThan', '10', '10'), false)
  assert.equal(n('NumericLessThanEquals', '10', '10'), true)
  assert.equal(n('NumericGreaterThan', '10', '-1'), false)
  assert.equal(n('NumericGreaterThan', '-2', '-1'), true)
  assert.equal(n('NumericGreaterThanEquals', '1e1', '10'), true)
  assert.equal(n('NumericLessThan', '10', 'ten'), false)
  assert.equal(n('NumericNotEquals', '10', 'ten'), false)
  assert.equal(n('NumericNotEquals', 'ten', '5'), false)
  assert.equal(n('NumericEquals', 'ten', '5'), false)
  assert.equal(
    holds(
      { NumericLessThan: { 's3:max-keys': ['x', '10'] } },
      { 's3:max-keys': v('numeric', '3') },
    ),
    true,
  )
  assert.equal(
    holds({ NumericNotEquals: { 's3:max-keys': [1, 2] } }, { 's3:max-keys': v('numeric', '3') }),
    true,
  )
  assert.equal(
    holds({ NumericNotEquals: { 's3:max-keys': [1, 3] } }, { 's3:max-keys': v('numeric', '3') }),
    false,
  )
  assert.equal(
    holds({ NumericEquals: { 's3:max-keys': 10 } }, { 's3:max-keys': v('numeric', '10') }),
    true,
  )
})

test('Date operators take ISO 8601 and epoch seconds on either side', () => {
  const d = (op: string, policy: string, value: string) =>
    holds({ [op]: { 'aws:CurrentTime': policy } }, { 'aws:CurrentTime': v('date', value) })
  assert.equal(d('DateLessThan', '2024-01-01T00:00:00Z', '2023-12-31T23:59:59Z'), true)
  assert.equal(d('DateLessThan', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'), false)
  assert.equal(d('DateLessThanEquals', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'), true)
  assert.equal(d('DateGreaterThan', '2024-01-01', '2024-01-01T00:00:01Z'), true)
  assert.equal(d('DateGreaterThanEquals', '2024-01-01', '2023-12-31'), false)
  assert.equal(d('DateEquals', '1704067200', '2024-01-01T00:00:00Z'), true)
  assert.equal(d('DateEquals', '2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00Z'), true)
  assert.equal(d('DateNotEquals', '2024-01-01', '2024-01-02'), true)
  assert.equal(d('DateNotEquals', '2024-01-01', '2024-01-01T00:00:00Z'), false)
  assert.equal(d('DateLessThan', '2024-01-01', 'tomorrow'), false)
  assert.equal(d('DateNotEquals', '2024-01-01', 'tomorrow'), false)
  assert.equal(
    holds(
      { DateGreaterThan: { 'aws:EpochTime': '1700000000' } },
      { 'aws:EpochTime': v('numeric', '1700000001') },
    ),
    true,
  )
})

test('Bool compares true/false in any case; anything else fails', () => {
  const b = (policy: unknown, value: string) =>
    holds(
      { Bool: { 'aws:SecureTransport': policy } },
      { 'aws:SecureTransport': v('boolean', value) },
    )
  assert.equal(b('true', 'true'), true)
  assert.equal(b('true', 'TRUE'), true)
  assert.equal(b(false, 'false'), true)
  assert.equal(b('false', 'true'), false)
  assert.equal(b('yes', 'true'), false)
  assert.equal(b('true', '1'), false)
  assert.equal(holds({ Bool: { 'aws:SecureTransport': 'false' } }, {}), false)
  assert.equal(holds({ BoolIfExists: { 'aws:SecureTransport': 'false' } }, {}), true)
})

test('BinaryEquals compares the decoded bytes', () => {
  const b = (policy: string, value: string) =>
    holds({ BinaryEquals: { 'a:bin': policy } }, { 'a:bin': v('binary', value) })
  assert.equal(b('QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU='), true)
  assert.equal(b('QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU'), true)
  assert.equal(b('QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWY='), false)
  assert.equal(b('not base64!', 'not base64!'), false)
})

test('IpAddress and NotIpAddress: CIDR, bare addresses, IPv6; the other family is outside', () => {
  const ip = (op: string, policy: unknown, value: string) =>
    holds({ [op]: { 'aws:SourceIp': policy } }, { 'aws:SourceIp': v('ip', value) })
  assert.equal(ip('IpAddress', '203.0.113.0/24', '203.0.113.10'), true)
  assert.equal(ip('IpAddress', ['10.0.0.0/8', '203.0.113.0/24'], '10.1.1.1'), true)
  assert.equal(ip('IpAddress', '203.0.113.0/24', '198.51.100.1'), false)
  assert.equal(ip('IpAddress', '203.0.113.5', '203.0.113.5'), true)
  assert.equal(ip('IpAddress', '2001:DB8:1234:5678::/64', '2001:db8:1234:5678::abcd'), true)
  assert.equal(ip('IpAddress', '203.0.113.0/24', '2001:db8::1'), false)
  assert.equal(ip('NotIpAddress', '203.0.113.0/24', '2001:db8::1'), true)
  assert.equal(ip('NotIpAddress', ['10.0.0.0/8', '203.0.113.0/24'], '198.51.100.1'), true)
  assert.equal(ip('NotIpAddress', ['10.0.0.0/8', '203.0.113.0/24'], '10.9.9.9'), false)
  assert.equal(ip('IpAddress', '203.0.113.0/24', 'not-an-ip'), false)
  assert.equal(ip('NotIpAddress', '203.0.113.0/24', 'not-an-ip'), false)
  assert.equal(ip('NotIpAddress', 'bad-cidr', '10.0.0.1'), false)
  assert.equal(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {}), true)
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {}), false)
})

test('ARN operators: segment-wise, Equals and Like alike, non-ARNs never match', () => {
  const a = (op: string, policy: string, value: string) =>
    holds({ [op]: { 'aws:SourceArn': policy } }, { 'aws:SourceArn': s(value) })
  const arn = 'arn:aws:sns:us-east-1:111122223333:topic-a'
  assert.equal(a('ArnEquals', arn, arn), true)
  assert.equal(a('ArnLike', 'arn:aws:sns:*:111122223333:topic-*', arn), true)
  assert.equal(a('ArnEquals', 'arn:aws:sns:*:111122223333:topic-*', arn), true)
  assert.equal(a('ArnLike', 'arn:aws:sns:*:444455556666:*', arn), false)
  assert.equal(a('ArnLike', 'arn:aws:sns:us-east-1*', arn), false)
  assert.equal(a('ArnNotLike', 'arn:aws:sns:*:444455556666:*', arn), true)
  assert.equal(a('ArnNotEquals', arn, arn), false)
  assert.equal(a('ArnLike', 'arn:aws:sns:*:*:*', 'not-an-arn'), false)
  assert.equal(a('ArnNotLike', 'arn:aws:sns:*:*:*', 'not-an-arn'), false)
  assert.equal(a('ArnLike', 'arn:aws:SNS:*:*:*', arn), false)
  assert.equal(holds({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, {}), true)
})

test('Null: "true" when the key is absent, "false" when present', () => {
  assert.equal(holds({ Null: { 'aws:TokenIssueTime': 'true' } }, {}), true)
  assert.equal(
    holds(
      { Null: { 'aws:TokenIssueTime': 'true' } },
      { 'aws:TokenIssueTime': v('date', '2024-01-01') },
    ),
    false,
  )
  assert.equal(
    holds(
      { Null: { 'aws:TokenIssueTime': false } },
      { 'aws:TokenIssueTime': v('date', '2024-01-01') },
    ),
    true,
  )
  assert.equal(holds({ Null: { 'aws:TokenIssueTime': 'false' } }, {}), false)
  assert.equal(holds({ Null: { 'aws:TagKeys': 'false' } }, { 'aws:TagKeys': list() }), true)
  assert.equal(holds({ Null: { 'aws:TokenIssueTime': 'maybe' } }, {}), false)
})

test('ForAnyValue: some request value matches; false when absent or empty', () => {
  const c = { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'team-*' } }
  assert.equal(holds(c, { 'aws:TagKeys': list('env', 'team-a') }), true)
  assert.equal(holds(c, { 'aws:TagKeys': list('env') }), false)
  assert.equal(holds(c, { 'aws:TagKeys': list() }), false)
  assert.equal(holds(c, {}), false)
  const neg = { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a', 'b'] } }
  assert.equal(holds(neg, { 'aws:TagKeys': list('a', 'c') }), true)
  assert.equal(holds(neg, { 'aws:TagKeys': list('a', 'b') }), false)
  assert.equal(holds(neg, {}), false)
  // IfExists changes nothing under a set qualifier: it applies value by value.
  assert.equal(holds({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'a' } }, {}), false)
})

test('ForAllValues: every request value matches; true when absent or empty', () => {
  const c = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }
  assert.equal(holds(c, { 'aws:TagKeys': list('env') }), true)
  assert.equal(holds(c, { 'aws:TagKeys': list('env', 'team') }), true)
  assert.equal(holds(c, { 'aws:TagKeys': list('env', 'owner') }), false)
  assert.equal(holds(c, { 'aws:TagKeys': list() }), true)
  assert.equal(holds(c, {}), true)
  const neg = { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'aws:*' } }
  assert.equal(holds(neg, { 'aws:TagKeys': list('env', 'team') }), true)
  assert.equal(holds(neg, { 'aws:TagKeys': list('env', 'aws:x') }), false)
  const num = { 'ForAllValues:NumericLessThan': { 'a:n': '10' } }
  assert.equal(holds(num, { 'a:n': v('numericList', '1', '9') }), true)
  assert.equal(holds(num, { 'a:n': v('numericList', '1', 'x') }), false)
})

test('set qualifiers on single-valued keys treat the value as a one-element set', () => {
  assert.equal(
    holds({ 'ForAnyValue:StringEquals': { 'aws:username': 'a' } }, { 'aws:username': s('a') }),
    true,
  )
  assert.equal(
    holds({ 'ForAllValues:StringEquals': { 'aws:username': 'a' } }, { 'aws:username': s('b') }),
    false,
  )
})

test('an operator without a set qualifier is false on a multivalued key', () => {
  const tags = { 'aws:TagKeys': list('a') }
  assert.equal(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, tags), false)
  assert.equal(holds({ StringNotEquals: { 'aws:TagKeys': 'b' } }, tags), false)
  assert.equal(holds({ StringEqualsIfExists: { 'aws:TagKeys': 'a' } }, tags), false)
  assert.equal(
    holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': list('a', 'b') }),
    false,
  )
})

test('operator names are matched case-insensitively', () => {
  assert.equal(holds({ stringequals: { 'a:k': 'v' } }, { 'a:k': s('v') }), true)
  assert.equal(holds({ 'foranyvalue:STRINGLIKE': { 'a:k': 'v*' } }, { 'a:k': list('vv') }), true)
})

test('an empty Condition block and an empty operator block impose nothing', () => {
  assert.equal(holds({}, {}), true)
  assert.equal(holds({ StringEquals: {} }, {}), true)
})
