/**
 * Interop: S3 authorisation against a real `irsa up` process, as a pod is: a role session
 * from AssumeRoleWithWebIdentity (a ServiceAccount token of the local cluster), driven
 * with the real AWS CLI. The EKS user guide's policy as written denies GetObject with S3's
 * message, the corrected one allows it, `aws s3 ls` needs `s3:ListBucket`, the AWS managed
 * `AmazonS3ReadOnlyAccess` allows both, a bucket-policy Deny beats an identity Allow, and
 * another account needs both its identity policy and the bucket policy. Every decision is
 * in the decision log (`irsa logs`).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { awsCli } from '../helpers/tools.js'
import { startS3Stack, type S3Stack, type SessionCreds } from '../helpers/s3-stack.js'

const OTHER = '444455556666'
const BUCKET = 'my-pod-secrets-bucket'

/** One decision of `irsa logs --output json`, as far as these tests read it. */
interface Decision {
  readonly principal?: string
  readonly action: string
  readonly resource?: string
  readonly decision: string
  readonly errorCode?: string
  readonly reasons?: { readonly rule?: string; readonly relation?: string }
}

const doc = (statements: readonly object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements })

test('S3 policies as a pod role session of irsa up', { timeout: 240_000 }, async (t) => {
  const o = awsCli()
  if (o.skip !== false) {
    t.skip(o.skip)
    return
  }
  const s: S3Stack = await startS3Stack(t, { otherAccount: OTHER })
  const A = s.accountId
  const session = (role: string): string => `arn:aws:sts::${A}:assumed-role/${role}/${role}-session`
  const denied = (who: string, action: string, resource: string, why: string): string =>
    `An error occurred (AccessDenied) when calling the ${action === 's3:ListBucket' ? 'ListObjectsV2' : 'GetObject'} operation: User: ${who} is not authorized to perform: ${action} on resource: "${resource}" ${why}`
  /** The decisions recorded for `principal` doing `action` on `resource`, in order. */
  const decisions = async (principal: string, action: string, resource: string) => {
    const all = JSON.parse(await s.ok('irsa logs --output json --since 10m')) as Decision[]
    return all
      .filter((d) => d.principal === principal && d.action === action && d.resource === resource)
      .map((d) => [d.decision, d.reasons?.rule ?? ''])
  }
  await s.ok(`aws s3api create-bucket --bucket ${BUCKET} --create-bucket-configuration LocationConstraint=us-west-2 > /dev/null
printf 'the pod secret' > secret
aws s3 cp secret s3://${BUCKET}/secret --only-show-errors`)
  const object = `arn:aws:s3:::${BUCKET}/secret`
  const bucketArn = `arn:aws:s3:::${BUCKET}`
  let pod: SessionCreds

  await t.test('the EKS user guide policy as written denies GetObject, naming why', async () => {
    pod = await s.session('pod')
    await s.ok(
      `aws iam put-role-policy --role-name pod --policy-name guide --policy-document '${doc([
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [bucketArn] },
      ])}'`,
    )
    const err = await s.fails(`aws s3api get-object --bucket ${BUCKET} --key secret out`, pod)
    assert.equal(
      err.trim(),
      denied(
        session('pod'),
        's3:GetObject',
        object,
        'because no identity-based policy allows the s3:GetObject action',
      ),
    )
    // `aws s3 cp` asks HeadObject first: a HEAD has no body, so only the status shows.
    assert.match(
      await s.fails(`aws s3 cp s3://${BUCKET}/secret -`, pod),
      /\(403\) when calling the HeadObject operation: Forbidden/,
    )
    assert.deepEqual(await decisions(session('pod'), 's3:GetObject', object), [
      ['implicitDeny', 'no identity-based policy allows'],
      ['implicitDeny', 'no identity-based policy allows'],
    ])
  })

  await t.test('the corrected policy (…/*) allows it; aws s3 ls needs s3:ListBucket', async () => {
    await s.ok(
      `aws iam put-role-policy --role-name pod --policy-name guide --policy-document '${doc([
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${bucketArn}/*`] },
      ])}'`,
    )
    assert.equal(await s.ok(`aws s3 cp s3://${BUCKET}/secret -`, pod), 'the pod secret')
    const ls = await s.fails(`aws s3 ls s3://${BUCKET}`, pod)
    assert.equal(
      ls.trim(),
      denied(
        session('pod'),
        's3:ListBucket',
        bucketArn,
        'because no identity-based policy allows the s3:ListBucket action',
      ),
    )
    await s.ok(
      `aws iam put-role-policy --role-name pod --policy-name list --policy-document '${doc([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
      ])}'`,
    )
    assert.match(await s.ok(`aws s3 ls s3://${BUCKET}`, pod), /^\S+ \S+ +14 secret\n$/)
    assert.deepEqual((await decisions(session('pod'), 's3:GetObject', object)).slice(2), [
      ['allowed', 'an identity-based policy allows'],
      ['allowed', 'an identity-based policy allows'],
    ])
    assert.deepEqual(
      (await decisions(session('pod'), 's3:ListBucket', bucketArn)).map(([d]) => d),
      ['implicitDeny', 'allowed'],
    )
  })

  await t.test(
    'AmazonS3ReadOnlyAccess allows GetObject and ListBucket, not PutObject',
    async () => {
      const reader = await s.session('reader')
      await s.ok(
        'aws iam attach-role-policy --role-name reader --policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      )
      assert.equal(await s.ok(`aws s3 cp s3://${BUCKET}/secret -`, reader), 'the pod secret')
      assert.match(await s.ok(`aws s3 ls s3://${BUCKET}`, reader), / secret\n$/)
      assert.match(
        await s.fails(`aws s3api put-object --bucket ${BUCKET} --key new --body secret`, reader),
        /AccessDenied.*s3:PutObject on resource: "arn:aws:s3:::my-pod-secrets-bucket\/new" because no identity-based policy allows the s3:PutObject action/,
      )
      assert.deepEqual(
        (await decisions(session('reader'), 's3:ListBucket', bucketArn)).map(([d]) => d),
        ['allowed'],
      )
    },
  )

  await t.test('a bucket-policy Deny beats an identity Allow', async () => {
    await s.ok(
      `aws s3api put-bucket-policy --bucket ${BUCKET} --policy '${doc([
        {
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${A}:role/pod` },
          Action: 's3:GetObject',
          Resource: `${bucketArn}/*`,
        },
      ])}'`,
    )
    const err = await s.fails(`aws s3api get-object --bucket ${BUCKET} --key secret out`, pod)
    assert.equal(
      err.trim(),
      denied(
        session('pod'),
        's3:GetObject',
        object,
        'with an explicit deny in a resource-based policy',
      ),
    )
    assert.deepEqual((await decisions(session('pod'), 's3:GetObject', object)).at(-1), [
      'explicitDeny',
      'explicit deny in resource-based policy',
    ])
    // The reader's role is not named: its identity Allow still stands.
    const reader = await s.session('reader')
    assert.equal(await s.ok(`aws s3 cp s3://${BUCKET}/secret -`, reader), 'the pod secret')
    await s.ok(`aws s3api delete-bucket-policy --bucket ${BUCKET}`)
    assert.equal(await s.ok(`aws s3 cp s3://${BUCKET}/secret -`, pod), 'the pod secret')
  })

  await t.test('another account needs its identity policy and the bucket policy', async () => {
    const other = s.other
    assert.ok(other !== undefined)
    const B = other.accountId
    const role = `arn:aws:iam::${B}:role/partner`
    await s.ok(
      `aws iam create-role --role-name partner --assume-role-policy-document '${doc([
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'sts:AssumeRole' },
      ])}' > /dev/null`,
      other.admin,
    )
    const partner = JSON.parse(
      await s.ok(
        `aws sts assume-role --role-arn ${role} --role-session-name partner --query Credentials --output json`,
        other.admin,
      ),
    ) as SessionCreds
    const who = `arn:aws:sts::${B}:assumed-role/partner/partner`
    const get = `aws s3api get-object --bucket ${BUCKET} --key secret got > /dev/null && cat got`
    // Neither side: S3 tells another account only "Access Denied".
    assert.equal(
      (await s.fails(get, partner)).trim(),
      'An error occurred (AccessDenied) when calling the GetObject operation: Access Denied',
    )
    // The identity side alone.
    await s.ok(
      `aws iam put-role-policy --role-name partner --policy-name read --policy-document '${doc([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/*` },
      ])}'`,
      other.admin,
    )
    assert.match(await s.fails(get, partner), /\(AccessDenied\).*: Access Denied$/m)
    // The bucket side alone (the identity policy removed).
    await s.ok(`aws iam delete-role-policy --role-name partner --policy-name read`, other.admin)
    await s.ok(
      `aws s3api put-bucket-policy --bucket ${BUCKET} --policy '${doc([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${B}:root` },
          Action: 's3:GetObject',
          Resource: `${bucketArn}/*`,
        },
      ])}'`,
    )
    assert.match(await s.fails(get, partner), /\(AccessDenied\).*: Access Denied$/m)
    // Both.
    await s.ok(
      `aws iam put-role-policy --role-name partner --policy-name read --policy-document '${doc([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/*` },
      ])}'`,
      other.admin,
    )
    assert.equal(await s.ok(get, partner), 'the pod secret')
    const log = await decisions(who, 's3:GetObject', object)
    assert.deepEqual(log, [
      ['implicitDeny', 'cross-account: no identity-based policy allows'],
      ['implicitDeny', 'cross-account: no bucket policy statement or ACL grant allows it'],
      ['implicitDeny', 'cross-account: no identity-based policy allows'],
      ['allowed', 'cross-account: identity policies and the bucket policy allows'],
    ])
  })
})
