import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decide, doc, policy, request } from './helpers.js'

const p = (st: object) => policy(doc([{ Effect: 'Allow', ...st }]))

test('actions are case-insensitive and take wildcards', () => {
  const r = request()
  assert.equal(decide(r, p({ Action: 'S3:getobject', Resource: '*' })), 'allowed')
  assert.equal(
    decide(request({}, { action: 'S3:GETOBJECT' }), p({ Action: 's3:GetObject', Resource: '*' })),
    'allowed',
  )
  assert.equal(decide(r, p({ Action: 's3:Get*', Resource: '*' })), 'allowed')
  assert.equal(decide(r, p({ Action: 's3:*Object', Resource: '*' })), 'allowed')
  assert.equal(decide(r, p({ Action: 's3:GetObjec?', Resource: '*' })), 'allowed')
  assert.equal(decide(r, p({ Action: '*', Resource: '*' })), 'allowed')
  assert.equal(decide(r, p({ Action: ['ec2:*', 's3:GetObject'], Resource: '*' })), 'allowed')
  assert.equal(decide(r, p({ Action: 's3:Put*', Resource: '*' })), 'implicitDeny')
  assert.equal(decide(r, p({ Action: 's3:GetObjectAcl', Resource: '*' })), 'implicitDeny')
  assert.equal(decide(r, p({ Action: 's3x:GetObject', Resource: '*' })), 'implicitDeny')
})

test('NotAction matches every action except those listed', () => {
  const st = p({ NotAction: 'iam:*', Resource: '*' })
  assert.equal(decide(request(), st), 'allowed')
  assert.equal(decide(request({}, { action: 'iam:CreateUser' }), st), 'implicitDeny')
  assert.equal(decide(request({}, { action: 'IAM:createuser' }), st), 'implicitDeny')
  const d = policy(
    doc([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', NotAction: ['s3:Get*', 's3:List*'], Resource: '*' },
    ]),
  )
  assert.equal(decide(request(), d), 'allowed')
  assert.equal(decide(request({}, { action: 's3:PutObject' }), d), 'explicitDeny')
})

test('resources are case-sensitive ARN patterns', () => {
  assert.equal(
    decide(request(), p({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' })),
    'allowed',
  )
  assert.equal(
    decide(request(), p({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::Bucket/*' })),
    'implicitDeny',
  )
  assert.equal(
    decide(request(), p({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/ke?' })),
    'allowed',
  )
  assert.equal(
    decide(
      request(),
      p({ Action: 's3:GetObject', Resource: ['arn:aws:s3:::other/*', 'arn:aws:s3:::bucket/key'] }),
    ),
    'allowed',
  )
  // IAM completes a short ARN with * segments.
  assert.equal(
    decide(
      request({}, { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:111122223333:q' }),
      p({ Action: 'sqs:*', Resource: 'arn:aws:sqs:*' }),
    ),
    'allowed',
  )
})

test('NotResource matches every resource except those listed', () => {
  const st = p({ Action: 's3:*', NotResource: ['arn:aws:s3:::bucket/secret/*'] })
  assert.equal(decide(request(), st), 'allowed')
  assert.equal(
    decide(request({}, { resource: 'arn:aws:s3:::bucket/secret/x' }), st),
    'implicitDeny',
  )
})

test("the AWS EKS docs' example policy: the bucket ARN without /* does not cover its objects", () => {
  // https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
  const eks = policy(
    doc([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-pod-secrets-bucket' },
    ]),
  )
  assert.equal(
    decide(request({}, { resource: 'arn:aws:s3:::my-pod-secrets-bucket/key' }), eks),
    'implicitDeny',
  )
  const fixed = policy(
    doc([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-pod-secrets-bucket/*' },
    ]),
  )
  assert.equal(
    decide(request({}, { resource: 'arn:aws:s3:::my-pod-secrets-bucket/key' }), fixed),
    'allowed',
  )
})

test('a request on resource * matches only Resource *', () => {
  assert.equal(
    decide(request({}, { resource: '*' }), p({ Action: 's3:*', Resource: '*' })),
    'allowed',
  )
  assert.equal(
    decide(request({}, { resource: '*' }), p({ Action: 's3:*', Resource: 'arn:aws:s3:::*' })),
    'implicitDeny',
  )
})
