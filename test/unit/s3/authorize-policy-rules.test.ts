/**
 * The bucket-policy rules the operations layer takes: PutBucketPolicy's validation (S3's
 * MalformedPolicy messages), S3's definition of a public policy and of a public ACL.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isAwsError } from '../../../src/aws/index.js'
import {
  createS3PolicyRules,
  isPublicAcl,
  isPublicPolicy,
  loadS3ActionNames,
  S3_POLICY_MESSAGES as M,
} from '../../../src/s3/index.js'

const B = 'my-bucket'
const doc = (...st: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: st })
const st = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:role/app' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${B}/*`,
  ...extra,
})
const without = (key: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(st()).filter(([k]) => k !== key))

const MALFORMED: readonly (readonly [string, string, string])[] = [
  ['not an object', '[1]', M.notObject],
  ['not JSON', '{"Statement": [', M.invalidJson],
  ['a bad version', JSON.stringify({ Version: '2020-01-01', Statement: [st()] }), M.version],
  [
    'an unknown top-level field',
    JSON.stringify({ Statement: [st()], Foo: 1 }),
    M.unknownField('Foo'),
  ],
  ['no Statement', JSON.stringify({ Version: '2012-10-17' }), M.missing('Statement')],
  ['no Principal', doc(without('Principal')), M.missing('Principal')],
  ['no Effect', doc(without('Effect')), M.missing('Effect')],
  ['an invalid Effect', doc(st({ Effect: 'Alow' })), M.invalidEffect('Alow')],
  ['no Action', doc(without('Action')), M.missing('Action')],
  ['no Resource', doc(without('Resource')), M.missing('Resource')],
  ['an unknown statement field', doc(st({ Actions: 's3:GetObject' })), M.unknownField('Actions')],
  [
    'a principal that is not one',
    doc(st({ Principal: { AWS: 'not-a-principal' } })),
    M.invalidPrincipal,
  ],
  ['an unknown principal type', doc(st({ Principal: { Bob: '*' } })), M.invalidPrincipal],
  ['an action of another service', doc(st({ Action: 'iam:GetRole' })), M.invalidAction],
  ['an action S3 does not have', doc(st({ Action: 's3:GetObjekt' })), M.invalidAction],
  ['another bucket', doc(st({ Resource: 'arn:aws:s3:::other-bucket/*' })), M.invalidResource],
  ['all buckets', doc(st({ Resource: 'arn:aws:s3:::*' })), M.invalidResource],
  [
    'a resource that is not S3',
    doc(st({ Resource: 'arn:aws:iam::111122223333:role/x' })),
    M.invalidResource,
  ],
  ['GetObject on the bucket ARN', doc(st({ Resource: `arn:aws:s3:::${B}` })), M.actionResource],
  [
    'ListBucket on objects',
    doc(st({ Action: ['s3:ListBucket'], Resource: `arn:aws:s3:::${B}/*` })),
    M.actionResource,
  ],
]

test('PutBucketPolicy rejects what S3 rejects, with S3’s message', async () => {
  const rules = createS3PolicyRules(await loadS3ActionNames())
  for (const [what, text, message] of MALFORMED) {
    assert.throws(
      () => {
        rules.validate(text, B)
      },
      (e: unknown) => isAwsError(e, 'MalformedPolicy') && e.status === 400 && e.message === message,
      what,
    )
  }
})

test('PutBucketPolicy accepts valid bucket policies', async () => {
  const rules = createS3PolicyRules(await loadS3ActionNames())
  const valid = [
    doc(st()),
    doc(
      st({
        Principal: '*',
        Action: ['s3:Get*', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`],
      }),
    ),
    doc(st({ Principal: { AWS: '111122223333' } })),
    doc(st({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })),
    doc({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
    JSON.stringify({ Version: '2008-10-17', Id: 'x', Statement: st() }),
  ]
  for (const text of valid) rules.validate(text, B)
})

test('without the action catalog, any s3: action name is accepted', () => {
  createS3PolicyRules().validate(doc(st({ Action: 's3:GetObjekt' })), B)
})

const PUBLIC: readonly (readonly [string, string, boolean])[] = [
  ['Principal * reading objects', doc(st({ Principal: '*' })), true],
  ['{"AWS": "*"} reading objects', doc(st({ Principal: { AWS: '*' } })), true],
  ['s3:* to everyone', doc(st({ Principal: '*', Action: 's3:*' })), true],
  ['NotPrincipal', doc({ ...without('Principal'), NotPrincipal: { AWS: '111122223333' } }), true],
  ['a fixed role', doc(st()), false],
  ['a fixed account', doc(st({ Principal: { AWS: '111122223333' } })), false],
  ['a Deny to everyone', doc(st({ Effect: 'Deny', Principal: '*' })), false],
  [
    'everyone, pinned to a CIDR',
    doc(st({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } })),
    false,
  ],
  [
    'everyone, from 0.0.0.0/0',
    doc(st({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } })),
    true,
  ],
  [
    'everyone, pinned to a VPC endpoint',
    doc(st({ Principal: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })),
    false,
  ],
  [
    'everyone, pinned to an organization',
    doc(st({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } })),
    false,
  ],
  [
    'everyone, pinned to a source account',
    doc(
      st({ Principal: '*', Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } }),
    ),
    false,
  ],
  [
    'everyone, with a wildcard source ARN',
    doc(st({ Principal: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:*' } } })),
    true,
  ],
  [
    'everyone, with a condition on another key',
    doc(st({ Principal: '*', Condition: { StringEquals: { 's3:prefix': 'home/' } } })),
    true,
  ],
  [
    'everyone, with a negated operator',
    doc(st({ Principal: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } })),
    true,
  ],
  [
    'everyone, a policy variable',
    doc(
      st({
        Principal: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } },
      }),
    ),
    true,
  ],
  ['not JSON', '{', false],
]

test('isPublic follows S3’s meaning of public', () => {
  for (const [what, text, expected] of PUBLIC) assert.equal(isPublicPolicy(text), expected, what)
})

test('isPublicAcl: a grant to AllUsers or AuthenticatedUsers', () => {
  const owner = {
    grantee: { kind: 'Account', accountId: '111122223333' },
    permission: 'FULL_CONTROL',
  } as const
  assert.equal(isPublicAcl({ ownerAccountId: '111122223333', grants: [owner] }), false)
  for (const kind of ['AllUsers', 'AuthenticatedUsers'] as const)
    assert.equal(
      isPublicAcl({
        ownerAccountId: '111122223333',
        grants: [owner, { grantee: { kind }, permission: 'READ' }],
      }),
      true,
      kind,
    )
  assert.equal(
    isPublicAcl({
      ownerAccountId: '1',
      grants: [{ grantee: { kind: 'LogDelivery' }, permission: 'WRITE' }],
    }),
    false,
  )
})
