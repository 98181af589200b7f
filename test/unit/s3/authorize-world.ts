/**
 * A world for the S3 authoriser: a temporary store with accounts, roles and their
 * policies; buckets and objects in a test double of the operations layer's
 * {@link S3ResourceLookup}; and questions as the wire asks them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { manualClock, type ManualClock } from '../../../src/core/index.js'
import { openStore, type Store } from '../../../src/store/index.js'
import {
  PolicyCache,
  rootPrincipal,
  type Principal,
  type RoleSessionPrincipal,
} from '../../../src/iam/index.js'
import {
  createS3Authorizer,
  type S3Acl,
  type S3AuthQuestion,
  type S3Authorize,
  type S3BucketState,
  type S3ObjectState,
  type S3Operation,
} from '../../../src/s3/index.js'
import type { Caller } from '../../../src/aws/index.js'

export const OWNER = '111122223333'
export const OTHER = '444455556666'
export const T0 = Date.UTC(2026, 2, 1, 10, 0, 0)

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: OWNER }, Action: 'sts:AssumeRole' }],
})

/** A private ACL: the owner has FULL_CONTROL. */
export function privateAcl(owner: string): S3Acl {
  return {
    ownerAccountId: owner,
    grants: [{ grantee: { kind: 'Account', accountId: owner }, permission: 'FULL_CONTROL' }],
  }
}

export interface RoleSpec {
  readonly account?: string
  readonly name: string
  /** Inline identity policies. */
  readonly policies?: readonly unknown[]
  readonly boundary?: unknown
}

export interface World {
  readonly store: Store
  readonly clock: ManualClock
  readonly authorize: S3Authorize<Principal>
  readonly buckets: Map<string, S3BucketState>
  readonly objects: Map<string, S3ObjectState>
  role(spec: RoleSpec): void
  /** A session of a role made with {@link role}: `arn:aws:sts::ACCOUNT:assumed-role/NAME/s`. */
  session(name: string, account?: string, extra?: Partial<RoleSessionPrincipal>): Principal
  bucket(b: Partial<S3BucketState> & { readonly name: string }): void
  object(bucket: string, key: string, o?: Partial<S3ObjectState>): void
  close(): void
}

export function world(): World {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-s3-authz-'))
  const clock = manualClock(T0)
  const store = openStore({ dir, clock })
  store.accounts.ensure({ id: OWNER })
  store.accounts.ensure({ id: OTHER })
  const buckets = new Map<string, S3BucketState>()
  const objects = new Map<string, S3ObjectState>()
  const authorize = createS3Authorizer<Principal>({
    store,
    clock,
    cache: new PolicyCache(),
    resources: {
      bucket: (name) => buckets.get(name),
      object: (bucket, key) => objects.get(`${bucket}/${key}`),
    },
    principalOf: (p) => p,
  })
  let policies = 0
  return {
    store,
    clock,
    authorize,
    buckets,
    objects,
    role(spec) {
      const accountId = spec.account ?? OWNER
      let boundaryArn: string | undefined
      if (spec.boundary !== undefined) {
        policies++
        boundaryArn = store.policies.create({
          accountId,
          name: `boundary${policies}`,
          document: JSON.stringify(spec.boundary),
        }).arn
      }
      store.roles.create({
        accountId,
        name: spec.name,
        assumeRolePolicyDocument: TRUST,
        ...(boundaryArn === undefined ? {} : { permissionsBoundaryArn: boundaryArn }),
      })
      ;(spec.policies ?? []).forEach((doc, i) => {
        store.rolePolicies.putInline(accountId, spec.name, `p${i}`, JSON.stringify(doc))
      })
    },
    session(name, account = OWNER, extra = {}) {
      const role = store.roles.get(account, name)
      if (role === undefined) throw new Error(`no role ${name}`)
      return {
        kind: 'role-session',
        accountId: account,
        arn: `arn:aws:sts::${account}:assumed-role/${name}/s`,
        userId: `${role.roleId}:s`,
        roleArn: role.arn,
        roleId: role.roleId,
        roleName: role.name,
        sessionName: 's',
        expiresAtMs: T0 + 3600_000,
        ...extra,
      }
    },
    bucket(b) {
      const owner = b.ownerAccountId ?? OWNER
      buckets.set(b.name, {
        ownerAccountId: owner,
        region: 'us-east-1',
        policy: undefined,
        publicAccessBlock: undefined,
        ownership: 'BucketOwnerEnforced',
        acl: privateAcl(owner),
        ...b,
      })
    },
    object(bucket, key, o = {}) {
      const owner = buckets.get(bucket)?.ownerAccountId ?? OWNER
      objects.set(`${bucket}/${key}`, { acl: privateAcl(owner), tags: [], ...o })
    },
    close() {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The wire's caller for a principal (signed with a header, unless presigned). */
export function callerOf(principal: Principal, presigned = false): Caller<Principal> {
  return {
    accessKeyId: principal.kind === 'root' ? 'AKIAIRSAS3TESTROOT01' : 'ASIAIRSAS3TESTSESS01',
    region: 'us-east-1',
    principal,
    withSessionToken: principal.kind !== 'root',
    presigned,
  }
}

export { rootPrincipal }

/** What a question may set; the rest defaults. */
export interface Ask {
  readonly operation: S3Operation
  readonly bucket?: string
  readonly key?: string
  readonly principal?: Principal
  readonly presigned?: boolean
  readonly headers?: Readonly<Record<string, string>>
  readonly query?: Readonly<Record<string, string>>
  readonly sourceIp?: string
  readonly secure?: boolean
  readonly copySource?: { readonly bucket: string; readonly key: string }
  readonly requestId?: string
}

export function question(a: Ask): S3AuthQuestion<Principal> {
  const headers: Record<string, readonly string[]> = {}
  for (const [k, v] of Object.entries(a.headers ?? {})) headers[k.toLowerCase()] = [v]
  return {
    requestId: a.requestId ?? 'req-1',
    operation: a.operation,
    target: { bucket: a.bucket, key: a.key, addressing: 'path' },
    caller: a.principal === undefined ? undefined : callerOf(a.principal, a.presigned),
    headers,
    query: new Map(Object.entries(a.query ?? {})),
    sourceIp: a.sourceIp ?? '127.0.0.1',
    secure: a.secure ?? false,
    nowMs: T0,
    ...(a.copySource === undefined ? {} : { copySource: a.copySource }),
  }
}
