/**
 * The S3 authoriser's shell: what it records in the decision log, the questions it lets
 * through (a bucket that does not exist, DeleteObjects before its keys are read), the
 * per-key DeleteObjects questions, and that nothing secret reaches a message or a record.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isAwsError } from '../../../src/aws/index.js'
import type { DecisionRecord } from '../../../src/store/index.js'
import { OTHER, OWNER, question, rootPrincipal, world, type World } from './authorize-world.js'

/** The one decision recorded for a request. */
function only(w: World, requestId: string): DecisionRecord {
  const records = w.store.decisions.byRequestId(requestId)
  assert.equal(records.length, 1, requestId)
  const [r] = records
  assert.ok(r !== undefined)
  return r
}

const READ = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
  ],
})

test('every decision is recorded with its reasons: allowed and denied', () => {
  const w = world()
  try {
    w.role({ name: 'app', policies: [JSON.parse(READ)] })
    w.bucket({ name: 'b' })
    const p = w.session('app')
    w.authorize(
      question({ operation: 'GetObject', bucket: 'b', key: 'k', principal: p, requestId: 'r1' }),
    )
    assert.throws(() => {
      w.authorize(
        question({ operation: 'PutObject', bucket: 'b', key: 'k', principal: p, requestId: 'r2' }),
      )
    })
    const allowed = only(w, 'r1')
    assert.equal(allowed.decision, 'allowed')
    assert.equal(allowed.action, 's3:GetObject')
    assert.equal(allowed.resource, 'arn:aws:s3:::b/k')
    assert.equal(allowed.principal, p.arn)
    assert.equal(allowed.accountId, OWNER)
    const reasons = allowed.reasons as Record<string, unknown>
    assert.equal(reasons['relation'], 'owner-account')
    assert.match(JSON.stringify(reasons['identity']), /Read/)
    const denied = only(w, 'r2')
    assert.equal(denied.decision, 'implicitDeny')
    assert.equal(denied.errorCode, 'AccessDenied')
    assert.equal(
      (denied.reasons as Record<string, unknown>)['rule'],
      'no identity-based policy allows',
    )
  } finally {
    w.close()
  }
})

test('an anonymous denial is recorded against the bucket owner, with the reason for the operator only', () => {
  const w = world()
  try {
    w.bucket({ name: 'b' })
    let error: unknown
    try {
      w.authorize(question({ operation: 'GetObject', bucket: 'b', key: 'k', requestId: 'a' }))
    } catch (e) {
      error = e
    }
    assert.ok(isAwsError(error, 'AccessDenied'))
    assert.equal(error.message, 'Access Denied')
    assert.match(error.reason ?? '', /anonymous: no bucket policy statement or ACL grant allows it/)
    const rec = only(w, 'a')
    assert.equal(rec.principal, 'anonymous')
    assert.equal(rec.accountId, OWNER)
  } finally {
    w.close()
  }
})

test('a bucket that does not exist is let through for NoSuchBucket, and recorded so', () => {
  const w = world()
  try {
    w.authorize(question({ operation: 'GetObject', bucket: 'nope', key: 'k', requestId: 'n' }))
    const rec = only(w, 'n')
    assert.equal(rec.decision, 'allowed')
    assert.match(JSON.stringify(rec.reasons), /NoSuchBucket/)
  } finally {
    w.close()
  }
})

test('CreateBucket is decided by the identity side alone, even over another account’s bucket', () => {
  const w = world()
  try {
    w.bucket({ name: 'taken', ownerAccountId: OTHER })
    w.role({
      name: 'maker',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:CreateBucket', Resource: '*' }],
        },
      ],
    })
    w.authorize(
      question({ operation: 'CreateBucket', bucket: 'taken', principal: w.session('maker') }),
    )
    assert.throws(
      () => {
        w.authorize(question({ operation: 'CreateBucket', bucket: 'new' }))
      },
      (e: unknown) => isAwsError(e, 'AccessDenied') && e.message === 'Access Denied',
    )
  } finally {
    w.close()
  }
})

test('DeleteObjects: the request-level question is let through; each key is decided as s3:DeleteObject', () => {
  const w = world()
  try {
    w.role({
      name: 'cleaner',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::b/tmp/*' },
          ],
        },
      ],
    })
    w.bucket({ name: 'b' })
    const p = w.session('cleaner')
    w.authorize(question({ operation: 'DeleteObjects', bucket: 'b', principal: p, requestId: 'd' }))
    assert.equal(w.store.decisions.byRequestId('d').length, 0)
    w.authorize(
      question({
        operation: 'DeleteObjects',
        bucket: 'b',
        key: 'tmp/x',
        principal: p,
        requestId: 'd',
      }),
    )
    assert.throws(
      () => {
        w.authorize(
          question({
            operation: 'DeleteObjects',
            bucket: 'b',
            key: 'keep/y',
            principal: p,
            requestId: 'd',
          }),
        )
      },
      (e: unknown) =>
        isAwsError(e, 'AccessDenied') &&
        e.message ===
          'User: arn:aws:sts::111122223333:assumed-role/cleaner/s is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::b/keep/y" because no identity-based policy allows the s3:DeleteObject action',
    )
    const records = w.store.decisions.byRequestId('d')
    assert.deepEqual(
      records.map((r) => [r.action, r.resource, r.decision]),
      [
        ['s3:DeleteObject', 'arn:aws:s3:::b/tmp/x', 'allowed'],
        ['s3:DeleteObject', 'arn:aws:s3:::b/keep/y', 'implicitDeny'],
      ],
    )
  } finally {
    w.close()
  }
})

test('a session whose role was deleted is denied', () => {
  const w = world()
  try {
    w.role({ name: 'gone', policies: [JSON.parse(READ)] })
    w.bucket({ name: 'b' })
    const p = w.session('gone')
    w.store.rolePolicies.deleteInline(OWNER, 'gone', 'p0')
    w.store.roles.delete(OWNER, 'gone')
    assert.throws(() => {
      w.authorize(
        question({ operation: 'GetObject', bucket: 'b', key: 'k', principal: p, requestId: 'g' }),
      )
    })
    assert.match(JSON.stringify(only(w, 'g').reasons), /no longer exists/)
  } finally {
    w.close()
  }
})

test('the bucket owner’s root is recorded as allowed by rule', () => {
  const w = world()
  try {
    w.bucket({ name: 'b' })
    w.authorize(
      question({
        operation: 'DeleteBucket',
        bucket: 'b',
        principal: rootPrincipal(OWNER),
        requestId: 'o',
      }),
    )
    const rec = only(w, 'o')
    assert.equal(rec.decision, 'allowed')
    assert.equal(rec.action, 's3:DeleteBucket')
    assert.equal(rec.principal, `arn:aws:iam::${OWNER}:root`)
  } finally {
    w.close()
  }
})
