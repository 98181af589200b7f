import type { S3PolicyType } from './decide.js'

/** How S3's AccessDenied messages name each policy type. */
const NAMES: Readonly<Record<S3PolicyType, { readonly a: string; readonly no: string }>> = {
  identity: { a: 'an identity-based policy', no: 'no identity-based policy' },
  boundary: { a: 'a permissions boundary', no: 'no permissions boundary' },
  session: { a: 'a session policy', no: 'no session policy' },
  resource: { a: 'a resource-based policy', no: 'no resource-based policy' },
}

/** A policy type as S3's messages name it: `identity-based policy`, `permissions boundary`… */
export function policyTypeName(type: S3PolicyType): string {
  return NAMES[type].no.slice('no '.length)
}

/**
 * The tail of S3's explained AccessDenied message (S3 User Guide, "Troubleshoot access
 * denied (403 Forbidden) errors", "Access denied message examples"), after
 * `User: ARN is not authorized to perform: ACTION on resource: "ARN"`:
 * `with an explicit deny in a resource-based policy`, or
 * `because no identity-based policy allows the s3:GetObject action`.
 */
export function denialReason(type: S3PolicyType, explicit: boolean, action: string): string {
  return explicit
    ? `with an explicit deny in ${NAMES[type].a}`
    : `because ${NAMES[type].no} allows the ${action} action`
}
