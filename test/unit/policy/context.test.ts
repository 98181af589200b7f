import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CONTEXT_KEY_TYPES, parseContextEntry } from '../../../src/policy/index.js'
import { InputError } from '../../../src/core/index.js'

test('KEY=TYPE:VALUE for every simulator type; lists are comma-separated', () => {
  assert.equal(CONTEXT_KEY_TYPES.length, 12)
  assert.deepEqual(parseContextEntry('aws:username=string:alice'), {
    key: 'aws:username',
    entry: { type: 'string', values: ['alice'] },
  })
  assert.deepEqual(parseContextEntry('aws:TagKeys=stringList:a,b'), {
    key: 'aws:TagKeys',
    entry: { type: 'stringList', values: ['a', 'b'] },
  })
  assert.deepEqual(parseContextEntry('aws:TagKeys=stringList:'), {
    key: 'aws:TagKeys',
    entry: { type: 'stringList', values: [] },
  })
  assert.deepEqual(parseContextEntry('s3:max-keys=numeric:10').entry, {
    type: 'numeric',
    values: ['10'],
  })
  assert.deepEqual(parseContextEntry('a:n=numericList:1,2.5').entry, {
    type: 'numericList',
    values: ['1', '2.5'],
  })
  assert.deepEqual(parseContextEntry('aws:SecureTransport=boolean:true').entry, {
    type: 'boolean',
    values: ['true'],
  })
  assert.deepEqual(parseContextEntry('a:b=booleanList:true,false').entry, {
    type: 'booleanList',
    values: ['true', 'false'],
  })
  assert.deepEqual(parseContextEntry('aws:SourceIp=ip:203.0.113.7').entry, {
    type: 'ip',
    values: ['203.0.113.7'],
  })
  assert.deepEqual(parseContextEntry('a:ips=ipList:10.0.0.1,::1').entry, {
    type: 'ipList',
    values: ['10.0.0.1', '::1'],
  })
  assert.deepEqual(parseContextEntry('a:bin=binary:QQ==').entry, {
    type: 'binary',
    values: ['QQ=='],
  })
  assert.deepEqual(parseContextEntry('a:bins=binaryList:QQ==,QUI=').entry, {
    type: 'binaryList',
    values: ['QQ==', 'QUI='],
  })
  assert.deepEqual(parseContextEntry('aws:CurrentTime=date:2024-01-01T00:00:00Z').entry, {
    type: 'date',
    values: ['2024-01-01T00:00:00Z'],
  })
  assert.deepEqual(parseContextEntry('a:d=dateList:2024-01-01,1700000000').entry, {
    type: 'dateList',
    values: ['2024-01-01', '1700000000'],
  })
})

test('keys may hold = and :; single values may hold commas and colons', () => {
  assert.deepEqual(
    parseContextEntry(
      'oidc.eks.us-west-2.amazonaws.com/id/ABC:sub=string:system:serviceaccount:default:app',
    ),
    {
      key: 'oidc.eks.us-west-2.amazonaws.com/id/ABC:sub',
      entry: { type: 'string', values: ['system:serviceaccount:default:app'] },
    },
  )
  assert.deepEqual(parseContextEntry('aws:PrincipalTag/a=b=string:x,y'), {
    key: 'aws:PrincipalTag/a=b',
    entry: { type: 'string', values: ['x,y'] },
  })
})

test('bad specs and values of the wrong type are InputErrors', () => {
  for (const spec of [
    'novalue',
    'k=text:x',
    '=string:x',
    'k=string',
    'k:string:x',
    's3:max-keys=numeric:ten',
    'a:b=boolean:yes',
    'a:ip=ip:300.1.1.1',
    'a:bin=binary:***',
    'a:d=date:soon',
    'a:n=numericList:1,x',
  ])
    assert.throws(() => parseContextEntry(spec), InputError, spec)
})
