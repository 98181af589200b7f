import { AWS_MANAGED, type ManagedPolicy, type PolicyVersion, type Store } from '../store/index.js'
import {
  awsManagedCatalog,
  isAwsManagedArn,
  type AwsManagedPolicy,
  type AwsManagedVersion,
} from './aws-managed.js'

/**
 * AWS managed policies as the IAM actions see them: the catalog's documents and versions,
 * with the counts of the store. The store keeps a row for an AWS managed policy only once
 * it is attached or used as a boundary (the attachment table refers to policy rows); that
 * row anchors attachments and counts, and its document is never read: the catalog's is.
 */

function asManaged(p: AwsManagedPolicy, row: ManagedPolicy | undefined): ManagedPolicy {
  return {
    accountId: AWS_MANAGED,
    name: p.name,
    path: p.path,
    policyId: p.policyId,
    arn: p.arn,
    defaultVersionId: p.defaultVersionId,
    attachmentCount: row?.attachmentCount ?? 0,
    permissionsBoundaryUsageCount: row?.permissionsBoundaryUsageCount ?? 0,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    tags: [],
  }
}

function asVersion(arn: string, v: AwsManagedVersion): PolicyVersion {
  return {
    policyArn: arn,
    versionId: v.versionId,
    document: v.document,
    isDefaultVersion: v.isDefaultVersion,
    createdAt: v.createdAt,
  }
}

/** The AWS managed policy `arn` with its store counts; undefined when AWS has none. */
export function awsManagedPolicy(store: Store, arn: string): ManagedPolicy | undefined {
  if (!isAwsManagedArn(arn)) return undefined
  const p = awsManagedCatalog().get(arn)
  return p === undefined ? undefined : asManaged(p, store.policies.get(arn))
}

/** Every AWS managed policy by name, filtered as ListPolicies filters. */
export function listAwsManaged(
  store: Store,
  options: { readonly pathPrefix?: string; readonly onlyAttached?: boolean },
): ManagedPolicy[] {
  const rows = new Map(store.policies.list(AWS_MANAGED).map((r) => [r.arn, r]))
  const prefix = options.pathPrefix ?? ''
  return awsManagedCatalog()
    .list()
    .filter((p) => p.path.startsWith(prefix))
    .map((p) => asManaged(p, rows.get(p.arn)))
    .filter((p) => options.onlyAttached !== true || p.attachmentCount > 0)
}

/** The versions of an AWS managed policy, newest first. */
export function awsManagedVersions(arn: string): PolicyVersion[] {
  return awsManagedCatalog()
    .versions(arn)
    .map((v) => asVersion(arn, v))
}

/** One version of an AWS managed policy. */
export function awsManagedVersion(arn: string, versionId: string): PolicyVersion | undefined {
  const v = awsManagedCatalog().version(arn, versionId)
  return v === undefined ? undefined : asVersion(arn, v)
}

/** The default version's document of an AWS managed policy. */
export function awsManagedDocument(arn: string): string | undefined {
  const p = awsManagedCatalog().get(arn)
  return p === undefined ? undefined : awsManagedVersion(arn, p.defaultVersionId)?.document
}

/**
 * Makes sure the store has the anchor row of AWS managed policy `arn` (so it can be
 * attached); false when AWS has no such policy.
 */
export function anchorAwsManaged(store: Store, arn: string): boolean {
  const p = isAwsManagedArn(arn) ? awsManagedCatalog().get(arn) : undefined
  if (p === undefined) return false
  if (store.policies.get(arn) !== undefined) return true
  store.policies.create({
    accountId: AWS_MANAGED,
    name: p.name,
    path: p.path,
    policyId: p.policyId,
    document: awsManagedDocument(arn) ?? '{}',
  })
  return true
}
