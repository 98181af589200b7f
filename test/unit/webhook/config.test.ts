import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InputError } from '../../../src/core/index.js'
import {
  createMutationConfig,
  DEFAULT_CONTAINER_CREDENTIALS,
  MAX_FS_GROUP,
  partitionForRegion,
} from '../../../src/webhook/index.js'
import type { MutationOptions } from '../../../src/webhook/index.js'

test("the defaults are the reference's flag defaults; the opt-ins are off", () => {
  const c = createMutationConfig()
  assert.equal(c.annotationPrefix, 'eks.amazonaws.com')
  assert.equal(c.tokenAudience, 'sts.amazonaws.com')
  assert.equal(c.tokenMountPath, '/var/run/secrets/eks.amazonaws.com/serviceaccount')
  assert.equal(c.tokenExpiration, 86400)
  assert.equal(c.defaultRegion, '')
  assert.equal(c.stsRegionalEndpoint, false)
  assert.deepEqual(c.containerCredentials, {
    fullUri: 'http://169.254.170.23/v1/credentials',
    audience: 'pods.eks.amazonaws.com',
    mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',
    volumeName: 'eks-pod-identity-token',
    tokenPath: 'eks-pod-identity-token',
  })
  assert.deepEqual(c.containerCredentials, DEFAULT_CONTAINER_CREDENTIALS)
  assert.equal(c.isPodIdentityAssociated('default', 'default'), false)
  assert.equal(c.roleSessionName, false)
  assert.equal(c.fsGroup, undefined)
  assert.equal(c.resolveEnvFrom, undefined)
  assert.equal(c.unresolvedEnvFrom, 'override')
})

test('--token-expiration below 600 becomes 600, as the reference does at startup', () => {
  assert.equal(createMutationConfig({ tokenExpiration: 0 }).tokenExpiration, 600)
  assert.equal(createMutationConfig({ tokenExpiration: -5 }).tokenExpiration, 600)
  assert.equal(createMutationConfig({ tokenExpiration: 601 }).tokenExpiration, 601)
})

test('partial container-credentials options keep the other defaults', () => {
  const c = createMutationConfig({ containerCredentials: { audience: 'aud' } })
  assert.equal(c.containerCredentials.audience, 'aud')
  assert.equal(c.containerCredentials.volumeName, 'eks-pod-identity-token')
})

test('invalid options are InputErrors naming the flag', () => {
  const bad: [MutationOptions, RegExp][] = [
    [{ annotationPrefix: '' }, /--annotation-prefix/],
    [{ annotationPrefix: 'eks.amazonaws.com/' }, /--annotation-prefix/],
    [{ annotationPrefix: 'has space' }, /--annotation-prefix/],
    [{ tokenMountPath: 'relative/path' }, /--token-mount-path/],
    [{ tokenExpiration: 1.5 }, /--token-expiration/],
    [{ tokenExpiration: Number.NaN }, /--token-expiration/],
    [{ fsGroup: -1 }, /--fs-group/],
    [{ fsGroup: MAX_FS_GROUP + 1 }, /--fs-group/],
    [{ fsGroup: 1.5 }, /--fs-group/],
    [{ containerCredentials: { fullUri: '' } }, /--container-credentials-full-uri/],
    [{ containerCredentials: { mountPath: 'x' } }, /--container-credentials-token-mount-path/],
    [{ containerCredentials: { volumeName: '' } }, /--container-credentials-token-volume-name/],
    [{ containerCredentials: { tokenPath: '' } }, /--container-credentials-token-path/],
    [{ unresolvedEnvFrom: 'maybe' as 'keep' }, /--env-from-unresolved/],
  ]
  for (const [options, flag] of bad) {
    assert.throws(
      () => createMutationConfig(options),
      (e: unknown) => e instanceof InputError && flag.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(options),
    )
  }
  assert.equal(createMutationConfig({ fsGroup: 0 }).fsGroup, 0)
  assert.equal(createMutationConfig({ fsGroup: MAX_FS_GROUP }).fsGroup, MAX_FS_GROUP)
})

test('partitionForRegion follows the reference prefixes', () => {
  const cases: [string, string][] = [
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['', 'aws'],
  ]
  for (const [region, partition] of cases)
    assert.equal(partitionForRegion(region), partition, region)
})

test('--compose-role-arn needs a 12-digit account and a partition', () => {
  for (const composeRoleArn of [
    { accountId: '1234', partition: 'aws' },
    { accountId: '111122223333', partition: 'azure' },
  ]) {
    assert.throws(
      () => createMutationConfig({ composeRoleArn }),
      (e: unknown) => e instanceof InputError && e.message.startsWith('--compose-role-arn'),
    )
  }
  const c = createMutationConfig({
    composeRoleArn: { accountId: '111122223333', partition: 'aws-us-gov' },
  })
  assert.deepEqual(c.composeRoleArn, { accountId: '111122223333', partition: 'aws-us-gov' })
})
