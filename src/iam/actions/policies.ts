import { awsError, IAM_ERRORS, struct, type ResultStruct } from '../../aws/index.js'
import { parsePolicy } from '../../policy/index.js'
import {
  AWS_MANAGED,
  MAX_POLICY_VERSIONS,
  policyArn,
  type ManagedPolicy,
  type PolicyVersion,
  type Store,
} from '../../store/index.js'
import type { IamActionSpec, IamCall } from '../action-kit.js'
import {
  awsManagedPolicy,
  awsManagedVersion,
  awsManagedVersions,
  listAwsManaged,
} from '../aws-managed-view.js'
import { isAwsManagedArn } from '../aws-managed.js'
import { pagedResult, readPaging } from '../paging.js'
import {
  ARN,
  PATH,
  PATH_PREFIX,
  POLICY_DESCRIPTION,
  POLICY_DOCUMENT,
  POLICY_NAME,
  QUOTAS,
  VERSION_ID,
  policySize,
  required,
} from '../rules.js'
import { readTags, refuseDuplicateKeys, requestTagContext, resourceTagContext } from '../tags.js'
import { encodeDocument, tagList, time } from '../wire.js'
import { checkPolicyArn } from './role-kit.js'

/** A `Policy` structure (`full` adds the description and tags, as GetPolicy does). */
function policyResult(p: ManagedPolicy, full: boolean): ResultStruct {
  return struct({
    PolicyName: p.name,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: p.permissionsBoundaryUsageCount,
    IsAttachable: true,
    Description: full ? p.description : undefined,
    CreateDate: time(p.createdAt),
    UpdateDate: time(p.updatedAt),
    Tags: full && p.tags.length > 0 ? tagList(p.tags) : undefined,
  })
}

/** A `PolicyVersion` structure; the document only where IAM sends it (GetPolicyVersion). */
function versionResult(v: PolicyVersion, withDocument: boolean): ResultStruct {
  return struct({
    Document: withDocument ? encodeDocument(v.document) : undefined,
    VersionId: v.versionId,
    IsDefaultVersion: v.isDefaultVersion,
    CreateDate: time(v.createdAt),
  })
}

/** Checks a managed policy document: IAM's size quota, then its grammar (Version 2012-10-17). */
function checkManagedDocument(text: string): void {
  if (policySize(text) > QUOTAS.PolicySize)
    throw awsError(IAM_ERRORS.LimitExceeded, {
      variant: 'quota',
      params: { quota: 'PolicySize', limit: QUOTAS.PolicySize },
    })
  parsePolicy(text, 'identity', { managed: true })
}

/** A Query boolean (`true`/`false`, any case); undefined when absent. */
function readBool(call: IamCall, name: string): boolean | undefined {
  const raw = call.ctx.params.string(name)
  if (raw === undefined) return undefined
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true'
  call.v.fail(name.charAt(0).toLowerCase() + name.slice(1), raw, 'Member must be a boolean')
  return undefined
}

/** The managed policy actions of the IAM API: policies and their versions. */
export function policyActions(store: Store): IamActionSpec[] {
  const visible = (call: IamCall, arn: string): ManagedPolicy | undefined => {
    if (isAwsManagedArn(arn)) return awsManagedPolicy(store, arn)
    const p = store.policies.get(arn)
    return p !== undefined && (p.accountId === call.accountId || p.accountId === AWS_MANAGED)
      ? p
      : undefined
  }
  /** Authorises on the policy ARN (with its tags), then finds it or fails as IAM does. */
  const authorized = (call: IamCall, arn: string): ManagedPolicy => {
    checkPolicyArn(arn)
    const p = visible(call, arn)
    call.authorize(arn, p === undefined ? {} : resourceTagContext(p.tags))
    if (p === undefined)
      throw awsError(IAM_ERRORS.NoSuchEntity, {
        variant: 'policyNotFound',
        params: { policyArn: arn },
      })
    return p
  }
  /** Only the account's own policies may change; AWS managed ones are read-only. */
  const own = (call: IamCall, p: ManagedPolicy): ManagedPolicy => {
    if (p.accountId !== call.accountId)
      throw awsError(IAM_ERRORS.NoSuchEntity, {
        variant: 'policyNotFound',
        params: { policyArn: p.arn },
        reason: 'AWS managed policies cannot be changed',
      })
    return p
  }
  const readArn = (call: IamCall): string => call.v.string('PolicyArn', required(ARN))
  const version = (arn: string, versionId: string): PolicyVersion => {
    const v = isAwsManagedArn(arn)
      ? awsManagedVersion(arn, versionId)
      : store.policies.getVersion(arn, versionId)
    if (v === undefined)
      throw awsError(IAM_ERRORS.NoSuchEntity, {
        variant: 'policyVersion',
        params: { policyArn: arn, versionId },
      })
    return v
  }
  return [
    {
      name: 'CreatePolicy',
      handle(call) {
        const { v } = call
        const name = v.string('PolicyName', required(POLICY_NAME))
        const path = v.string('Path', PATH) ?? '/'
        const doc = v.string('PolicyDocument', required(POLICY_DOCUMENT))
        const description = v.string('Description', POLICY_DESCRIPTION)
        const tags = readTags(call.ctx.params, v)
        v.check()
        call.authorize(policyArn(call.accountId, path, name), requestTagContext(tags))
        if (tags !== undefined) refuseDuplicateKeys(tags)
        checkManagedDocument(doc)
        if (
          store.policies
            .list(call.accountId)
            .some((p) => p.name.toLowerCase() === name.toLowerCase())
        )
          throw awsError(IAM_ERRORS.EntityAlreadyExists, {
            variant: 'policy',
            params: { policyName: name },
          })
        if (store.policies.count(call.accountId) >= QUOTAS.PoliciesPerAccount)
          throw awsError(IAM_ERRORS.LimitExceeded, {
            variant: 'quota',
            params: { quota: 'PoliciesPerAccount', limit: QUOTAS.PoliciesPerAccount },
          })
        const created = store.policies.create({
          accountId: call.accountId,
          name,
          path,
          document: doc,
          ...(description === undefined ? {} : { description }),
          ...(tags === undefined ? {} : { tags }),
        })
        return struct({ Policy: policyResult(created, false) })
      },
    },
    {
      name: 'GetPolicy',
      handle(call) {
        const arn = readArn(call)
        call.v.check()
        return struct({ Policy: policyResult(authorized(call, arn), true) })
      },
    },
    {
      name: 'ListPolicies',
      handle(call) {
        const { v } = call
        const scope = v.string('Scope', {
          pattern: /^(All|AWS|Local)$/,
          patternText: '[All, AWS, Local]',
        })
        const onlyAttached = readBool(call, 'OnlyAttached') ?? false
        const pathPrefix = v.string('PathPrefix', PATH_PREFIX)
        const usage = v.string('PolicyUsageFilter', {
          pattern: /^(PermissionsPolicy|PermissionsBoundary)$/,
          patternText: '[PermissionsPolicy, PermissionsBoundary]',
        })
        const paging = readPaging(v)
        v.check()
        call.authorize('*')
        // A boundary is not an attachment in the store; the usage filter selects those.
        const opts = {
          onlyAttached: onlyAttached && usage !== 'PermissionsBoundary',
          ...(pathPrefix === undefined ? {} : { pathPrefix }),
        }
        const owners =
          scope === 'AWS'
            ? [AWS_MANAGED]
            : scope === 'Local'
              ? [call.accountId]
              : [AWS_MANAGED, call.accountId]
        let policies = owners.flatMap((o) =>
          o === AWS_MANAGED ? listAwsManaged(store, opts) : store.policies.list(o, opts),
        )
        if (usage === 'PermissionsBoundary')
          policies = policies.filter((p) => p.permissionsBoundaryUsageCount > 0)
        if (usage === 'PermissionsPolicy')
          policies = policies.filter((p) => !onlyAttached || p.attachmentCount > 0)
        return pagedResult('Policies', policies, paging, (p) => policyResult(p, false))
      },
    },
    {
      name: 'DeletePolicy',
      handle(call) {
        const arn = readArn(call)
        call.v.check()
        const p = own(call, authorized(call, arn))
        if (p.attachmentCount > 0 || p.permissionsBoundaryUsageCount > 0)
          throw awsError(IAM_ERRORS.DeleteConflict, { variant: 'policyAttached' })
        if (store.policies.countVersions(arn) > 1)
          throw awsError(IAM_ERRORS.DeleteConflict, { variant: 'policyVersions' })
        store.policies.delete(arn)
        return undefined
      },
    },
    {
      name: 'CreatePolicyVersion',
      handle(call) {
        const arn = readArn(call)
        const doc = call.v.string('PolicyDocument', required(POLICY_DOCUMENT))
        const setAsDefault = readBool(call, 'SetAsDefault') ?? false
        call.v.check()
        own(call, authorized(call, arn))
        checkManagedDocument(doc)
        if (store.policies.countVersions(arn) >= MAX_POLICY_VERSIONS)
          throw awsError(IAM_ERRORS.LimitExceeded, {
            variant: 'policyVersions',
            params: { limit: MAX_POLICY_VERSIONS },
          })
        const created = store.policies.createVersion(arn, doc, { setAsDefault })
        return struct({ PolicyVersion: versionResult(created, false) })
      },
    },
    {
      name: 'GetPolicyVersion',
      handle(call) {
        const arn = readArn(call)
        const versionId = call.v.string('VersionId', required(VERSION_ID))
        call.v.check()
        authorized(call, arn)
        return struct({ PolicyVersion: versionResult(version(arn, versionId), true) })
      },
    },
    {
      name: 'ListPolicyVersions',
      handle(call) {
        const arn = readArn(call)
        const paging = readPaging(call.v)
        call.v.check()
        authorized(call, arn)
        const versions = isAwsManagedArn(arn)
          ? awsManagedVersions(arn)
          : store.policies.listVersions(arn)
        return pagedResult('Versions', versions, paging, (v) => versionResult(v, false))
      },
    },
    {
      name: 'DeletePolicyVersion',
      handle(call) {
        const arn = readArn(call)
        const versionId = call.v.string('VersionId', required(VERSION_ID))
        call.v.check()
        own(call, authorized(call, arn))
        if (version(arn, versionId).isDefaultVersion)
          throw awsError(IAM_ERRORS.DeleteConflict, { variant: 'defaultVersion' })
        store.policies.deleteVersion(arn, versionId)
        return undefined
      },
    },
    {
      name: 'SetDefaultPolicyVersion',
      handle(call) {
        const arn = readArn(call)
        const versionId = call.v.string('VersionId', required(VERSION_ID))
        call.v.check()
        own(call, authorized(call, arn))
        version(arn, versionId)
        store.policies.setDefaultVersion(arn, versionId)
        return undefined
      },
    },
  ]
}
