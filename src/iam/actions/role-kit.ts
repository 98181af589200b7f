import { awsError, IAM_ERRORS, struct, type ResultStruct } from '../../aws/index.js'
import { roleArn, type Role, type Store } from '../../store/index.js'
import type { IamCall } from '../action-kit.js'
import { noSuchRole } from '../errors.js'
import { ROLE_NAME, required } from '../rules.js'
import { resourceTagContext } from '../tags.js'
import { encodeDocument, tagList, time } from '../wire.js'

/** Reads the required `RoleName`. */
export function readRoleName(call: IamCall): string {
  return call.v.string('RoleName', required(ROLE_NAME))
}

/**
 * Authorises the call on the named role (its ARN with its path when it exists, with
 * `aws:ResourceTag/…` and `iam:ResourceTag/…`) and then returns it, or NoSuchEntity.
 * AWS decides authorisation before it looks for the entity, so a caller who may not act
 * on a role learns nothing about whether it exists.
 */
export function authorizedRole(
  store: Store,
  call: IamCall,
  name: string,
  context: Readonly<Record<string, string | readonly string[]>> = {},
): Role {
  const role = store.roles.get(call.accountId, name)
  call.authorize(role?.arn ?? roleArn(call.accountId, '/', name), {
    ...(role === undefined ? {} : roleTagContext(role)),
    ...context,
  })
  if (role === undefined) throw noSuchRole(name)
  return role
}

/** `aws:ResourceTag/k` and `iam:ResourceTag/k` of a role. */
function roleTagContext(role: Role): Record<string, string> {
  const ctx = resourceTagContext(role.tags)
  for (const t of role.tags) ctx[`iam:ResourceTag/${t.key}`] = t.value
  return ctx
}

/** A managed policy ARN of this account or AWS's, or InvalidInput. */
export function checkPolicyArn(arn: string): void {
  if (!/^arn:aws:iam::([0-9]{12}|aws):policy\/.+$/.test(arn))
    throw awsError(IAM_ERRORS.InvalidInput, { variant: 'badArn', params: { arn } })
}

/** The permissions boundary member of a role. */
function boundary(role: Role): ResultStruct | undefined {
  return role.permissionsBoundaryArn === undefined
    ? undefined
    : struct({
        PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
        PermissionsBoundaryArn: role.permissionsBoundaryArn,
      })
}

/**
 * A `Role` structure. `full` (GetRole, CreateRole, UpdateRoleDescription) adds the
 * boundary, tags and `RoleLastUsed`; ListRoles leaves them out, as IAM does.
 */
export function roleResult(role: Role, full: boolean): ResultStruct {
  return struct({
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: time(role.createdAt),
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: full ? boundary(role) : undefined,
    Tags: full && role.tags.length > 0 ? tagList(role.tags) : undefined,
    RoleLastUsed: full ? struct({}) : undefined,
  })
}
