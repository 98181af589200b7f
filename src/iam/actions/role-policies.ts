import { awsError, IAM_ERRORS, list, struct } from '../../aws/index.js'
import { parsePolicy } from '../../policy/index.js'
import { AWS_MANAGED, type ManagedPolicy, type Store } from '../../store/index.js'
import type { IamActionSpec, IamCall } from '../action-kit.js'
import { anchorAwsManaged, awsManagedPolicy } from '../aws-managed-view.js'
import { isAwsManagedArn } from '../aws-managed.js'
import { pagedResult, readPaging } from '../paging.js'
import {
  ARN,
  PATH_PREFIX,
  POLICY_DOCUMENT,
  POLICY_NAME,
  QUOTAS,
  policySize,
  required,
} from '../rules.js'
import { resourceTagContext } from '../tags.js'
import { encodeDocument } from '../wire.js'
import { authorizedRole, checkPolicyArn, readRoleName } from './role-kit.js'

/**
 * Managed-policy attachments (Attach/Detach/ListAttachedRolePolicies,
 * ListEntitiesForPolicy) and inline role policies (Put/Get/Delete/ListRolePolicies).
 */
export function rolePolicyActions(store: Store): IamActionSpec[] {
  /** The policy to attach; an AWS managed one gets its anchor row in the store first. */
  const attachable = (call: IamCall, arn: string): ManagedPolicy => {
    if (isAwsManagedArn(arn)) anchorAwsManaged(store, arn)
    const p = store.policies.get(arn)
    if (p === undefined || (p.accountId !== call.accountId && p.accountId !== AWS_MANAGED))
      throw awsError(IAM_ERRORS.NoSuchEntity, { variant: 'policy', params: { policyArn: arn } })
    return p
  }
  const readPolicyArn = (call: IamCall): string => call.v.string('PolicyArn', required(ARN))
  const readPolicyName = (call: IamCall): string =>
    call.v.string('PolicyName', required(POLICY_NAME))
  return [
    {
      name: 'AttachRolePolicy',
      handle(call) {
        const name = readRoleName(call)
        const arn = readPolicyArn(call)
        call.v.check()
        const role = authorizedRole(store, call, name, { 'iam:PolicyARN': arn })
        checkPolicyArn(arn)
        attachable(call, arn)
        const attached = store.rolePolicies.listAttached(call.accountId, role.name)
        if (!attached.some((a) => a.policyArn === arn) && attached.length >= QUOTAS.PoliciesPerRole)
          throw awsError(IAM_ERRORS.LimitExceeded, {
            variant: 'quota',
            params: { quota: 'PoliciesPerRole', limit: QUOTAS.PoliciesPerRole },
          })
        store.rolePolicies.attach(call.accountId, role.name, arn)
        return undefined
      },
    },
    {
      name: 'DetachRolePolicy',
      handle(call) {
        const name = readRoleName(call)
        const arn = readPolicyArn(call)
        call.v.check()
        const role = authorizedRole(store, call, name, { 'iam:PolicyARN': arn })
        checkPolicyArn(arn)
        const attached = store.rolePolicies.listAttached(call.accountId, role.name)
        if (!attached.some((a) => a.policyArn === arn))
          throw awsError(IAM_ERRORS.NoSuchEntity, {
            variant: 'policyNotFound',
            params: { policyArn: arn },
          })
        store.rolePolicies.detach(call.accountId, role.name, arn)
        return undefined
      },
    },
    {
      name: 'ListAttachedRolePolicies',
      handle(call) {
        const name = readRoleName(call)
        const pathPrefix = call.v.string('PathPrefix', PATH_PREFIX)
        const paging = readPaging(call.v)
        call.v.check()
        const role = authorizedRole(store, call, name)
        let attached = store.rolePolicies.listAttached(call.accountId, role.name)
        if (pathPrefix !== undefined)
          attached = attached.filter(
            (a) => store.policies.get(a.policyArn)?.path.startsWith(pathPrefix) === true,
          )
        return pagedResult('AttachedPolicies', attached, paging, (a) =>
          struct({ PolicyName: a.policyName, PolicyArn: a.policyArn }),
        )
      },
    },
    {
      name: 'ListEntitiesForPolicy',
      handle(call) {
        const { v } = call
        const arn = readPolicyArn(call)
        const filter = v.string('EntityFilter', {
          pattern: /^(User|Role|Group|LocalManagedPolicy|AWSManagedPolicy)$/,
          patternText: '[User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]',
        })
        const pathPrefix = v.string('PathPrefix', PATH_PREFIX)
        const usage = v.string('PolicyUsageFilter', {
          pattern: /^(PermissionsPolicy|PermissionsBoundary)$/,
          patternText: '[PermissionsPolicy, PermissionsBoundary]',
        })
        const paging = readPaging(v)
        v.check()
        checkPolicyArn(arn)
        const p = isAwsManagedArn(arn) ? awsManagedPolicy(store, arn) : store.policies.get(arn)
        const mine =
          p !== undefined && (p.accountId === call.accountId || p.accountId === AWS_MANAGED)
        call.authorize(arn, mine ? resourceTagContext(p.tags) : {})
        if (!mine)
          throw awsError(IAM_ERRORS.NoSuchEntity, {
            variant: 'policyNotFound',
            params: { policyArn: arn },
          })
        const roles = store.roles.list(
          call.accountId,
          pathPrefix === undefined ? {} : { pathPrefix },
        )
        const attachedTo = new Set(store.rolePolicies.listRolesFor(arn).map((r) => r.roleId))
        const using = roles.filter(
          (r) =>
            (usage !== 'PermissionsBoundary' && attachedTo.has(r.roleId)) ||
            (usage !== 'PermissionsPolicy' && r.permissionsBoundaryArn === arn),
        )
        const shown = filter === undefined || filter === 'Role' ? using : []
        return pagedResult(
          'PolicyRoles',
          shown,
          paging,
          (r) => struct({ RoleName: r.name, RoleId: r.roleId }),
          { PolicyGroups: list([]), PolicyUsers: list([]) },
        )
      },
    },
    {
      name: 'PutRolePolicy',
      handle(call) {
        const name = readRoleName(call)
        const policyName = readPolicyName(call)
        const doc = call.v.string('PolicyDocument', required(POLICY_DOCUMENT))
        call.v.check()
        const role = authorizedRole(store, call, name)
        parsePolicy(doc, 'identity')
        const others = store.rolePolicies
          .listInline(call.accountId, role.name)
          .filter((p) => p.policyName !== policyName)
          .reduce((n, p) => n + policySize(p.document), 0)
        if (others + policySize(doc) > QUOTAS.RolePolicySize)
          throw awsError(IAM_ERRORS.LimitExceeded, {
            variant: 'rolePolicySize',
            params: { limit: QUOTAS.RolePolicySize, roleName: role.name },
          })
        store.rolePolicies.putInline(call.accountId, role.name, policyName, doc)
        return undefined
      },
    },
    {
      name: 'GetRolePolicy',
      handle(call) {
        const name = readRoleName(call)
        const policyName = readPolicyName(call)
        call.v.check()
        const role = authorizedRole(store, call, name)
        const p = store.rolePolicies.getInline(call.accountId, role.name, policyName)
        if (p === undefined)
          throw awsError(IAM_ERRORS.NoSuchEntity, { variant: 'rolePolicy', params: { policyName } })
        return struct({
          RoleName: role.name,
          PolicyName: p.policyName,
          PolicyDocument: encodeDocument(p.document),
        })
      },
    },
    {
      name: 'DeleteRolePolicy',
      handle(call) {
        const name = readRoleName(call)
        const policyName = readPolicyName(call)
        call.v.check()
        const role = authorizedRole(store, call, name)
        if (store.rolePolicies.getInline(call.accountId, role.name, policyName) === undefined)
          throw awsError(IAM_ERRORS.NoSuchEntity, { variant: 'rolePolicy', params: { policyName } })
        store.rolePolicies.deleteInline(call.accountId, role.name, policyName)
        return undefined
      },
    },
    {
      name: 'ListRolePolicies',
      handle(call) {
        const name = readRoleName(call)
        const paging = readPaging(call.v)
        call.v.check()
        const role = authorizedRole(store, call, name)
        const names = store.rolePolicies
          .listInline(call.accountId, role.name)
          .map((p) => p.policyName)
        return pagedResult('PolicyNames', names, paging, (n) => n)
      },
    },
  ]
}
