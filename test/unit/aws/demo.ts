/**
 * A tiny demo registry for the protocol tests: just enough IAM, STS and EKS handlers to
 * drive every renderer and error path with the real SDKs. Not irsa's IAM/STS/EKS.
 */
import {
  awsError,
  list,
  struct,
  timestamp,
  AWS_ERROR_REGISTRIES,
  EKS_ERRORS,
  QueryValidation,
  STS_ERRORS,
  type AwsErrorEntry,
  type CredentialLookup,
  type QueryAction,
  type RestRoute,
} from '../../../src/aws/index.js'

export const ACCOUNT = '111122223333'
export const REGION = 'us-west-2'

/** Long-term admin key. */
export const ADMIN = {
  accessKeyId: 'AKIAIRSATESTADMIN001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYIRSATESTKEY',
}

/** A sentinel session token: must never appear in a log line or a response. */
export const SENTINEL_TOKEN = 'SENTINEL-SESSION-TOKEN-7f3a9c1e-must-never-be-logged'

/** Session credentials (valid). */
export const SESSION = {
  accessKeyId: 'ASIAIRSATESTSESSION1',
  secretAccessKey: 'sessionSecretKeyForTests0000000000000001',
  sessionToken: SENTINEL_TOKEN,
}

/** Session credentials whose session has ended. */
export const EXPIRED_SESSION = {
  accessKeyId: 'ASIAIRSATESTEXPIRED1',
  secretAccessKey: 'expiredSessionSecretKey00000000000000001',
  sessionToken: 'EXPIRED-SENTINEL-TOKEN-0b5d',
}

export interface DemoPrincipal {
  readonly arn: string
  readonly userId: string
}

/** The demo credential lookup: the three keys above. */
export const demoCredentials: CredentialLookup<DemoPrincipal> = ({ accessKeyId, sessionToken }) => {
  if (accessKeyId === ADMIN.accessKeyId && sessionToken === undefined)
    return {
      status: 'found',
      secretAccessKey: ADMIN.secretAccessKey,
      principal: { arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT },
    }
  if (accessKeyId === SESSION.accessKeyId && sessionToken === SESSION.sessionToken)
    return {
      status: 'found',
      secretAccessKey: SESSION.secretAccessKey,
      principal: {
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/demo-session`,
        userId: 'AROAIRSATESTROLEID001:demo-session',
      },
    }
  if (accessKeyId === EXPIRED_SESSION.accessKeyId && sessionToken === EXPIRED_SESSION.sessionToken)
    return { status: 'expired' }
  return { status: 'unknown' }
}

/** Every STS registry entry, raisable by name from the demo AssumeRoleWithWebIdentity. */
function entryByCode(code: string): AwsErrorEntry | undefined {
  for (const reg of Object.values(AWS_ERROR_REGISTRIES)) {
    const e = reg[code]
    if (e !== undefined) return e
  }
  return undefined
}

/** A 1-hour credential expiry fixed for tests: 2026-01-02T03:04:05Z. */
export const EXPIRATION_MS = Date.UTC(2026, 0, 2, 3, 4, 5)

/**
 * Demo actions:
 * - sts GetCallerIdentity (signed): the caller's principal;
 * - sts AssumeRoleWithWebIdentity (unsigned): `RoleSessionName=fail-<Code>` throws that
 *   registry error (STS entries first); otherwise demo credentials. Validates like STS.
 * - iam ListRoles (signed): two roles, to exercise lists, timestamps, URL-encoded documents;
 * - sts Boom (signed): throws a plain Error holding the sentinel, to prove internal errors
 *   leak nothing.
 */
export function demoActions(): QueryAction<DemoPrincipal>[] {
  return [
    {
      service: 'sts',
      action: 'GetCallerIdentity',
      auth: 'sigv4',
      handle: ({ caller }) => {
        if (caller === undefined) throw new Error('signed action without caller')
        return struct({
          UserId: caller.principal.userId,
          Account: ACCOUNT,
          Arn: caller.principal.arn,
        })
      },
    },
    {
      service: 'sts',
      action: 'AssumeRoleWithWebIdentity',
      auth: 'none',
      handle: ({ params, annotate }) => {
        const v = new QueryValidation(params, STS_ERRORS.ValidationError)
        const roleArn = v.string('RoleArn', { required: true, min: 20, max: 2048 })
        const session = v.string('RoleSessionName', {
          required: true,
          min: 2,
          max: 64,
          pattern: /^[\w+=,.@-]*$/,
          patternText: '[\\w+=,.@-]*',
        })
        v.string('WebIdentityToken', { required: true, min: 4, max: 20000, sensitive: true })
        const duration = v.int('DurationSeconds', { min: 900, max: 43200 })
        const policyArns = params.structs('PolicyArns') ?? []
        v.check()
        annotate({ roleArn, policyArns: policyArns.length })
        if (session.startsWith('fail-')) {
          const code = session.slice(5)
          const entry =
            (STS_ERRORS as Readonly<Record<string, AwsErrorEntry>>)[code] ?? entryByCode(code)
          if (entry === undefined) throw new Error(`no entry ${code}`)
          throw awsError(entry, {
            message: `demo ${code}`,
            reason: `demo failure for ${session}`,
          })
        }
        return struct({
          Credentials: struct({
            AccessKeyId: SESSION.accessKeyId,
            SecretAccessKey: SESSION.secretAccessKey,
            SessionToken: SESSION.sessionToken,
            Expiration: timestamp(EXPIRATION_MS),
          }),
          SubjectFromWebIdentityToken: 'system:serviceaccount:default:demo',
          AssumedRoleUser: struct({
            AssumedRoleId: `AROAIRSATESTROLEID001:${session}`,
            Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/${session}`,
          }),
          PackedPolicySize: policyArns.length > 0 ? 6 : undefined,
          Provider: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.local/id/DEMO`,
          Audience: 'sts.amazonaws.com',
          SourceIdentity: duration === undefined ? undefined : `d${duration}`,
        })
      },
    },
    {
      service: 'iam',
      action: 'ListRoles',
      auth: 'sigv4',
      handle: () =>
        struct({
          Roles: list(
            ['app', 'web'].map((name, i) =>
              struct({
                Path: '/',
                RoleName: name,
                RoleId: `AROAIRSATESTROLEID00${i}`,
                Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
                CreateDate: timestamp(EXPIRATION_MS + i * 1000),
                AssumeRolePolicyDocument: encodeURIComponent(
                  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
                ),
                MaxSessionDuration: 3600,
              }),
            ),
          ),
          IsTruncated: false,
        }),
    },
    {
      service: 'sts',
      action: 'Boom',
      auth: 'sigv4',
      handle: () => {
        throw new Error(`internal failure carrying ${SENTINEL_TOKEN}`)
      },
    },
  ]
}

/** Demo EKS routes: DescribeCluster of `local` and ListClusters. */
export function demoRoutes(): RestRoute<DemoPrincipal>[] {
  return [
    {
      service: 'eks',
      operation: 'ListClusters',
      method: 'GET',
      path: '/clusters',
      auth: 'sigv4',
      handle: () => ({ body: struct({ clusters: list(['local']) }) }),
    },
    {
      service: 'eks',
      operation: 'DescribeCluster',
      method: 'GET',
      path: '/clusters/{name}',
      auth: 'sigv4',
      handle: ({ pathParams }) => {
        const name = pathParams['name'] ?? ''
        if (name !== 'local')
          throw awsError(EKS_ERRORS.ResourceNotFoundException, { params: { name } })
        return {
          body: struct({
            cluster: struct({
              name,
              arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`,
              createdAt: timestamp(EXPIRATION_MS),
              status: 'ACTIVE',
              identity: struct({
                oidc: struct({
                  issuer: 'https://127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF',
                }),
              }),
            }),
          }),
        }
      },
    },
  ]
}
