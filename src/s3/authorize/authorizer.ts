import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { Clock } from '../../core/index.js'
import {
  addTimeAndOrigin,
  buildRequestContext,
  explanationReasons,
  PolicyCache,
  SessionPolicies,
  type Principal,
} from '../../iam/index.js'
import type { CompiledPolicy, ContextEntry, RequestContext } from '../../policy/index.js'
import type { Store } from '../../store/index.js'
import type {
  S3AuthQuestion,
  S3Authorize,
  S3BucketState,
  S3ObjectState,
  S3ResourceLookup,
} from '../types.js'
import { s3ConditionKeys } from './context.js'
import { decideS3, type S3Requester, type S3Verdict } from './decide.js'
import { denialReason } from './messages.js'
import { S3_OPERATION_AUTH, s3ResourceArn, type S3OperationAuth } from './operations.js'

/** What {@link createS3Authorizer} needs. */
export interface S3AuthorizerDeps<P> {
  /** The role sessions' policies and the decision log. */
  readonly store: Store
  /** The decision log's time. */
  readonly clock: Clock
  /** Shared compiled-policy cache (one is made when absent). */
  readonly cache?: PolicyCache
  /** Buckets and objects, as the operations layer keeps them. */
  readonly resources: S3ResourceLookup
  /** irsa's principal for the wire's `caller.principal`; undefined for one S3 cannot place. */
  readonly principalOf: (principal: P) => Principal | undefined
}

/** One question resolved to the action, resource and state it is about. */
interface Resolved {
  readonly auth: S3OperationAuth
  readonly resource: string
  readonly bucketName: string | undefined
  readonly key: string | undefined
  /** False for ListBuckets and CreateBucket: no bucket's policy applies. */
  readonly bucketScoped: boolean
}

function resolve(q: S3AuthQuestion<unknown>): Resolved {
  if (q.copySource !== undefined) {
    const { bucket, key } = q.copySource
    const auth = S3_OPERATION_AUTH.GetObject
    const resource = s3ResourceArn('object', bucket, key)
    return { auth, resource, bucketName: bucket, key, bucketScoped: true }
  }
  const auth = S3_OPERATION_AUTH[q.operation]
  const { bucket, key } = q.target
  const resource = s3ResourceArn(auth.resource, bucket, key)
  const bucketScoped = auth.resource !== 'none' && q.operation !== 'CreateBucket'
  return { auth, resource, bucketName: bucket, key, bucketScoped }
}

/** The global keys of an anonymous request: time and origin only. */
function anonymousContext(q: S3AuthQuestion<unknown>): Record<string, ContextEntry> {
  const ctx = Object.create(null) as Record<string, ContextEntry>
  addTimeAndOrigin(ctx, q.nowMs, q.sourceIp)
  return ctx
}

/** The decision log's `reasons` for a verdict. */
function verdictReasons(v: S3Verdict): Record<string, unknown> {
  return {
    rule: v.rule,
    relation: v.relation,
    ...(v.aclGrant === undefined ? {} : { acl: v.aclGrant }),
    ...(v.identity === undefined ? {} : { identity: explanationReasons(v.identity) }),
    ...(v.bucketPolicy === undefined ? {} : { bucketPolicy: explanationReasons(v.bucketPolicy) }),
  }
}

/**
 * The S3 authoriser ({@link S3Authorize}): resolves the question to its IAM action,
 * resource ARN and condition keys, loads the caller's policies (memoised per store
 * generation: {@link SessionPolicies}), the bucket (policy, Block Public Access, Object
 * Ownership, ACL) and the object (ACL, tags), decides with {@link decideS3}, records the
 * decision in `store.decisions` (allowed or not, with the explanation's reasons; allowed
 * ones queued and written in batches) and throws S3's `AccessDenied` on a denial:
 * explained for a caller of the bucket owner's account, `Access Denied` for another
 * account and for anonymous callers (the operator-only `reason` holds the rule either way).
 *
 * A request for a bucket that does not exist is let through (recorded as allowed, with
 * that reason): S3 answers `NoSuchBucket` whoever asks. `DeleteObjects` without a key is
 * let through unrecorded: the operation asks again for each key (`s3:DeleteObject`).
 */
export function createS3Authorizer<P>(deps: S3AuthorizerDeps<P>): S3Authorize<P> {
  const cache = deps.cache ?? new PolicyCache()
  const { store, clock, resources } = deps
  const sessions = new SessionPolicies(store, cache)

  const bucketPolicy = (bucket: S3BucketState | undefined): CompiledPolicy | undefined =>
    bucket?.policy === undefined
      ? undefined
      : cache.get(bucket.policy, 'resource', 'bucket policy', 'resource')

  return (q) => {
    if (q.operation === 'DeleteObjects' && q.target.key === undefined && q.copySource === undefined)
      return
    const r = resolve(q)
    const principal = q.caller === undefined ? undefined : deps.principalOf(q.caller.principal)
    const base = {
      requestId: q.requestId,
      at: clock.now(),
      principal: principal?.arn ?? 'anonymous',
      action: r.auth.action,
      resource: r.resource,
    }
    const bucket =
      r.bucketScoped && r.bucketName !== undefined ? resources.bucket(r.bucketName) : undefined
    if (r.bucketScoped && bucket === undefined) {
      store.decisions.later({
        ...base,
        ...(principal === undefined ? {} : { accountId: principal.accountId }),
        decision: 'allowed',
        reasons: { rule: 'no such bucket: S3 answers NoSuchBucket whatever the policies say' },
      })
      return
    }
    const object: S3ObjectState | undefined =
      r.auth.resource === 'object' && bucket !== undefined && r.key !== undefined
        ? resources.object(bucket.name, r.key)
        : undefined
    const s3Keys = s3ConditionKeys(q, r.auth, { ownerAccountId: bucket?.ownerAccountId, object })

    let requester: S3Requester
    let context: RequestContext
    if (principal === undefined) {
      // Unsigned, or signed by a principal irsa cannot place: only public grants apply.
      requester = { kind: 'anonymous' }
      context = Object.assign(anonymousContext(q), s3Keys)
    } else if (principal.kind === 'root') {
      requester = { kind: 'root', arn: principal.arn, accountId: principal.accountId }
      context = buildRequestContext({
        principal,
        nowMs: q.nowMs,
        sourceIp: q.sourceIp,
        region: q.caller?.region,
        typed: s3Keys,
      })
    } else {
      const loaded = sessions.load(principal)
      requester = {
        kind: 'session',
        arn: principal.arn,
        accountId: principal.accountId,
        roleName: principal.roleName,
        layers: loaded?.set,
      }
      const facts = {
        principal,
        nowMs: q.nowMs,
        sourceIp: q.sourceIp,
        region: q.caller?.region,
        roleTags: loaded?.roleTags ?? [],
        typed: s3Keys,
      }
      context = buildRequestContext(facts)
    }

    const verdict = decideS3({
      requester,
      auth: r.auth,
      resource: r.resource,
      bucket,
      object,
      bucketPolicy: bucketPolicy(bucket),
      context,
    })
    const accountId = principal?.accountId ?? bucket?.ownerAccountId
    const record = {
      ...base,
      ...(accountId === undefined ? {} : { accountId }),
      decision: verdict.decision,
      reasons: verdictReasons(verdict),
    }
    if (verdict.decision === 'allowed') {
      store.decisions.later(record)
      return
    }
    store.decisions.append({ ...record, errorCode: 'AccessDenied' })
    const reason = `${verdict.decision} for ${r.auth.action} on ${r.resource}: ${verdict.rule}`
    if (verdict.explained === undefined || principal === undefined)
      throw awsError(S3_ERRORS.AccessDenied, { reason })
    throw awsError(S3_ERRORS.AccessDenied, {
      variant: 'explained',
      params: {
        principal: principal.arn,
        action: r.auth.action,
        resource: r.resource,
        reason: denialReason(verdict.explained.type, verdict.explained.explicit, r.auth.action),
      },
      reason,
    })
  }
}
