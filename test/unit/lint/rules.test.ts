/** The rules' edges: what each must not flag, beyond the one passing policy of its case file. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lintTexts } from '../../../src/lint/index.js'

const P = 'oidc.eks.us-west-2.amazonaws.com/id/ABC'
const FED = `arn:aws:iam::111122223333:oidc-provider/${P}`

function trust(condition: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: FED },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
        ...extra,
      },
    ],
  })
}

function perm(...statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements })
}

async function ids(text: string): Promise<string[]> {
  return (await lintTexts([{ text, source: { uri: 'p.json' } }])).map((f) => f.ruleId)
}

test('condition keys are case-insensitive: :SUB is a sub condition', async () => {
  const t = trust({
    StringEquals: { [`${P}:SUB`]: 'system:serviceaccount:a:b', [`${P}:aud`]: 'sts.amazonaws.com' },
  })
  assert.deepEqual(await ids(t), [])
})

test('no condition at all: trust-no-sub at the statement', async () => {
  const text = trust(undefined)
  const f = await lintTexts([{ text, source: { uri: 'p.json' } }])
  assert.deepEqual(
    f.map((x) => [x.ruleId, x.location.line, x.location.column]),
    [['trust-no-sub', 1, 38]],
  )
})

test('one namespace with any ServiceAccount is not wider than a namespace; a GitHub sub is not judged', async () => {
  const one = trust({
    StringLike: { [`${P}:sub`]: 'system:serviceaccount:ns:*' },
    StringEquals: { [`${P}:aud`]: 'sts.amazonaws.com' },
  })
  assert.deepEqual(await ids(one), [])
  const gh = 'token.actions.githubusercontent.com'
  const github = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${gh}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringLike: { [`${gh}:sub`]: 'repo:org/app:*' },
          StringEquals: { [`${gh}:aud`]: 'sts.amazonaws.com' },
        },
      },
    ],
  })
  assert.deepEqual(await ids(github), [])
})

test('tag keys with a colon and global keys are not issuer keys; a port in the issuer is', async () => {
  const t = trust({
    StringEquals: {
      [`${P}:sub`]: 'system:serviceaccount:a:b',
      [`${P}:aud`]: 'sts.amazonaws.com',
      'aws:RequestTag/team:x': 'y',
      'aws:SourceAccount': '111122223333',
    },
  })
  assert.deepEqual(await ids(t), [])
  const local = trust({
    StringEquals: {
      [`${P}:sub`]: 'system:serviceaccount:a:b',
      '127.0.0.1:9443/id/OTHER:aud': 'sts.amazonaws.com',
    },
  })
  assert.deepEqual(await ids(local), ['condition-key-provider-mismatch'])
})

test('escaped ${*} under StringEquals is a real asterisk, not a mistake', async () => {
  const t = trust({
    StringEquals: {
      [`${P}:sub`]: 'system:serviceaccount:a:b${*}',
      [`${P}:aud`]: 'sts.amazonaws.com',
    },
  })
  assert.deepEqual(await ids(t), [])
})

test('resources with wildcards are not judged; Resource "*" fits every action', async () => {
  assert.deepEqual(
    await ids(perm({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' })),
    [],
  )
  assert.deepEqual(
    await ids(
      perm({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListAllMyBuckets'], Resource: '*' }),
    ),
    [],
  )
  assert.deepEqual(
    await ids(perm({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' })),
    [],
  )
  assert.deepEqual(
    await ids(
      perm({
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:dynamodb:us-east-1:111122223333:table/t',
      }),
    ),
    ['action-resource-mismatch'],
  )
})

test('unknown actions in a Deny and unknown services are findings; a Deny of s3:* on * is not', async () => {
  assert.deepEqual(await ids(perm({ Effect: 'Deny', Action: 's3:DeleteBukket', Resource: '*' })), [
    'unknown-action',
  ])
  assert.deepEqual(
    await ids(perm({ Effect: 'Allow', Action: 'nosuchservice:Get', Resource: '*' })),
    ['unknown-action'],
  )
  assert.deepEqual(await ids(perm({ Effect: 'Deny', Action: 's3:*', Resource: '*' })), [])
})

test('NotPrincipal with Allow in a trust policy', async () => {
  const t = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', NotPrincipal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' },
    ],
  })
  assert.deepEqual(await ids(t), ['trust-not-principal'])
})
