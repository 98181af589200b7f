import { awsError, IAM_ERRORS, struct } from '../../aws/index.js'
import { parsePolicy } from '../../policy/index.js'
import { roleArn, type Store } from '../../store/index.js'
import type { IamActionSpec, IamCall } from '../action-kit.js'
import { anchorAwsManaged } from '../aws-managed-view.js'
import { pagedResult, readPaging } from '../paging.js'
import {
  ARN,
  MAX_SESSION_DURATION,
  PATH,
  PATH_PREFIX,
  POLICY_DOCUMENT,
  QUOTAS,
  ROLE_DESCRIPTION,
  ROLE_NAME,
  policySize,
  required,
} from '../rules.js'
import {
  checkTagQuota,
  readTagKeys,
  readTags,
  refuseDuplicateKeys,
  requestTagContext,
} from '../tags.js'
import { authorizedRole, checkPolicyArn, readRoleName, roleResult } from './role-kit.js'

/** Checks a trust policy: IAM's size quota (whitespace not counted), then its grammar. */
function checkTrustPolicy(text: string): void {
  if (policySize(text) > QUOTAS.ACLSizePerRole)
    throw awsError(IAM_ERRORS.LimitExceeded, {
      variant: 'quota',
      params: { quota: 'ACLSizePerRole', limit: QUOTAS.ACLSizePerRole },
    })
  parsePolicy(text, 'trust')
}

/** A permissions boundary must be an existing managed policy of the account or AWS. */
function checkBoundary(store: Store, call: IamCall, arn: string): void {
  checkPolicyArn(arn)
  if (anchorAwsManaged(store, arn)) return
  const p = store.policies.get(arn)
  if (p === undefined || (p.accountId !== call.accountId && p.accountId !== 'aws'))
    throw awsError(IAM_ERRORS.NoSuchEntity, { variant: 'policy', params: { policyArn: arn } })
}

/** The role actions of the IAM API (create, read, update, delete, tags, boundary). */
export function roleActions(store: Store): IamActionSpec[] {
  return [
    {
      name: 'CreateRole',
      handle(call) {
        const { v } = call
        const name = v.string('RoleName', required(ROLE_NAME))
        const path = v.string('Path', PATH) ?? '/'
        const trust = v.string('AssumeRolePolicyDocument', required(POLICY_DOCUMENT))
        const description = v.string('Description', ROLE_DESCRIPTION)
        const maxSessionDuration = v.int('MaxSessionDuration', MAX_SESSION_DURATION)
        const boundaryArn = v.string('PermissionsBoundary', ARN)
        const tags = readTags(call.ctx.params, v)
        v.check()
        call.authorize(roleArn(call.accountId, path, name), {
          ...requestTagContext(tags),
          ...(boundaryArn === undefined ? {} : { 'iam:PermissionsBoundary': boundaryArn }),
        })
        if (tags !== undefined) refuseDuplicateKeys(tags)
        checkTrustPolicy(trust)
        if (boundaryArn !== undefined) checkBoundary(store, call, boundaryArn)
        if (store.roles.get(call.accountId, name) !== undefined)
          throw awsError(IAM_ERRORS.EntityAlreadyExists, {
            variant: 'role',
            params: { roleName: name },
          })
        if (store.roles.count(call.accountId) >= QUOTAS.RolesPerAccount)
          throw awsError(IAM_ERRORS.LimitExceeded, {
            variant: 'quota',
            params: { quota: 'RolesPerAccount', limit: QUOTAS.RolesPerAccount },
          })
        const role = store.roles.create({
          accountId: call.accountId,
          name,
          path,
          assumeRolePolicyDocument: trust,
          ...(description === undefined ? {} : { description }),
          ...(maxSessionDuration === undefined ? {} : { maxSessionDuration }),
          ...(boundaryArn === undefined ? {} : { permissionsBoundaryArn: boundaryArn }),
          ...(tags === undefined ? {} : { tags }),
        })
        return struct({ Role: roleResult(role, true) })
      },
    },
    {
      name: 'GetRole',
      handle(call) {
        const name = readRoleName(call)
        call.v.check()
        return struct({ Role: roleResult(authorizedRole(store, call, name), true) })
      },
    },
    {
      name: 'ListRoles',
      handle(call) {
        const pathPrefix = call.v.string('PathPrefix', PATH_PREFIX)
        const paging = readPaging(call.v)
        call.v.check()
        call.authorize('*')
        const roles = store.roles.list(
          call.accountId,
          pathPrefix === undefined ? {} : { pathPrefix },
        )
        return pagedResult('Roles', roles, paging, (r) => roleResult(r, false))
      },
    },
    {
      name: 'DeleteRole',
      handle(call) {
        const name = readRoleName(call)
        call.v.check()
        const role = authorizedRole(store, call, name)
        if (store.rolePolicies.countAttached(call.accountId, role.name) > 0)
          throw awsError(IAM_ERRORS.DeleteConflict, { variant: 'roleAttachedPolicies' })
        if (store.rolePolicies.countInline(call.accountId, role.name) > 0)
          throw awsError(IAM_ERRORS.DeleteConflict, { variant: 'roleInlinePolicies' })
        store.roles.delete(call.accountId, role.name)
        return undefined
      },
    },
    {
      name: 'UpdateRole',
      handle(call) {
        const name = readRoleName(call)
        const description = call.v.string('Description', ROLE_DESCRIPTION)
        const maxSessionDuration = call.v.int('MaxSessionDuration', MAX_SESSION_DURATION)
        call.v.check()
        const role = authorizedRole(store, call, name)
        store.roles.update(call.accountId, role.name, {
          ...(description === undefined ? {} : { description }),
          ...(maxSessionDuration === undefined ? {} : { maxSessionDuration }),
        })
        return undefined
      },
    },
    {
      name: 'UpdateRoleDescription',
      handle(call) {
        const name = readRoleName(call)
        const description = call.v.string('Description', required(ROLE_DESCRIPTION))
        call.v.check()
        const role = authorizedRole(store, call, name)
        const updated = store.roles.update(call.accountId, role.name, { description })
        return struct({ Role: roleResult(updated, true) })
      },
    },
    {
      name: 'UpdateAssumeRolePolicy',
      handle(call) {
        const name = readRoleName(call)
        const doc = call.v.string('PolicyDocument', required(POLICY_DOCUMENT))
        call.v.check()
        const role = authorizedRole(store, call, name)
        checkTrustPolicy(doc)
        store.roles.updateAssumeRolePolicy(call.accountId, role.name, doc)
        return undefined
      },
    },
    {
      name: 'TagRole',
      handle(call) {
        const name = readRoleName(call)
        const tags = readTags(call.ctx.params, call.v, true) ?? []
        call.v.check()
        const role = authorizedRole(store, call, name, requestTagContext(tags))
        refuseDuplicateKeys(tags)
        checkTagQuota('TagsPerRole', role.tags, tags, true)
        store.roles.tag(call.accountId, role.name, tags)
        return undefined
      },
    },
    {
      name: 'UntagRole',
      handle(call) {
        const name = readRoleName(call)
        const keys = readTagKeys(call.v)
        call.v.check()
        const role = authorizedRole(store, call, name, { 'aws:TagKeys': keys })
        store.roles.untag(call.accountId, role.name, keys)
        return undefined
      },
    },
    {
      name: 'ListRoleTags',
      handle(call) {
        const name = readRoleName(call)
        const paging = readPaging(call.v)
        call.v.check()
        const role = authorizedRole(store, call, name)
        return pagedResult('Tags', role.tags, paging, (t) => struct({ Key: t.key, Value: t.value }))
      },
    },
    {
      name: 'PutRolePermissionsBoundary',
      handle(call) {
        const name = readRoleName(call)
        const arn = call.v.string('PermissionsBoundary', required(ARN))
        call.v.check()
        const role = authorizedRole(store, call, name, { 'iam:PermissionsBoundary': arn })
        checkBoundary(store, call, arn)
        store.roles.setPermissionsBoundary(call.accountId, role.name, arn)
        return undefined
      },
    },
    {
      name: 'DeleteRolePermissionsBoundary',
      handle(call) {
        const name = readRoleName(call)
        call.v.check()
        const existing = store.roles.get(call.accountId, name)
        const role = authorizedRole(
          store,
          call,
          name,
          existing?.permissionsBoundaryArn === undefined
            ? {}
            : { 'iam:PermissionsBoundary': existing.permissionsBoundaryArn },
        )
        store.roles.setPermissionsBoundary(call.accountId, role.name, undefined)
        return undefined
      },
    },
  ]
}
