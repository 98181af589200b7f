import type { CompiledPolicy, SourcePolicyType } from '../policy/index.js'
import { AWS_MANAGED, type Role, type Store } from '../store/index.js'
import { awsManagedDocument } from './aws-managed-view.js'
import { isAwsManagedArn } from './aws-managed.js'
import type { PolicyCache } from './policy-cache.js'

/** A managed policy's SourcePolicyType: `aws-managed` under `arn:aws:iam::aws:`, else `user-managed`. */
function managedType(arn: string): SourcePolicyType {
  return arn.startsWith(`arn:aws:iam::${AWS_MANAGED}:`) ? 'aws-managed' : 'user-managed'
}

/**
 * A managed policy's default version, compiled under `kind`; undefined when it is gone.
 * An AWS managed policy's document is the catalog's.
 */
export function compileManaged(
  store: Store,
  cache: PolicyCache,
  arn: string,
  kind: 'identity' | 'boundary' | 'session',
): CompiledPolicy | undefined {
  if (isAwsManagedArn(arn)) {
    const doc = awsManagedDocument(arn)
    const name = arn.slice(arn.lastIndexOf('/') + 1)
    return doc === undefined ? undefined : cache.get(doc, kind, name, 'aws-managed')
  }
  const policy = store.policies.get(arn)
  if (policy === undefined) return undefined
  const version = store.policies.getVersion(arn, policy.defaultVersionId)
  if (version === undefined) return undefined
  return cache.get(version.document, kind, policy.name, managedType(arn))
}

/** An attached policy's document: the catalog's for an AWS managed one, else the store's. */
function managedDocument(p: { readonly arn: string; readonly document: string }): string {
  return isAwsManagedArn(p.arn) ? (awsManagedDocument(p.arn) ?? p.document) : p.document
}

/** A role's identity policies (inline and attached) and, when it has one, its boundary. */
interface RolePolicies {
  readonly identity: readonly CompiledPolicy[]
  /** Undefined when the role has no permissions boundary; empty when its policy is gone. */
  readonly boundary?: readonly CompiledPolicy[]
}

/**
 * Everything the role's own policies contribute to an identity-mode evaluation, compiled
 * through the cache: inline policies (SourcePolicyId = the policy name, type `role`),
 * attached managed policies at their default version (the policy name, `user-managed` or
 * `aws-managed`) and the permissions boundary's default version.
 */
export function rolePolicies(store: Store, cache: PolicyCache, role: Role): RolePolicies {
  const docs = store.rolePolicies.documents(role.accountId, role.name)
  const identity: CompiledPolicy[] = [
    ...docs.inline.map((p) => cache.get(p.document, 'identity', p.name, 'role')),
    ...docs.managed.map((p) =>
      cache.get(managedDocument(p), 'identity', p.name, managedType(p.arn)),
    ),
  ]
  if (role.permissionsBoundaryArn === undefined) return { identity }
  const boundary = compileManaged(store, cache, role.permissionsBoundaryArn, 'boundary')
  return { identity, boundary: boundary === undefined ? [] : [boundary] }
}
