import type { Explanation, LayerTrace } from '../policy/index.js'

type Layer = LayerTrace['layer']

/** How AWS names each policy type in its AccessDenied messages. */
const NAMES: Readonly<Record<Layer, { readonly a: string; readonly no: string }>> = {
  identity: { a: 'an identity-based policy', no: 'no identity-based policy' },
  boundary: { a: 'a permissions boundary', no: 'no permissions boundary' },
  session: { a: 'a session policy', no: 'no session policy' },
  resource: { a: 'a resource-based policy', no: 'no resource-based policy' },
}

const ORDER: readonly Layer[] = ['identity', 'boundary', 'session', 'resource']

/**
 * The resource as IAM's AccessDenied messages show it: `role NAME` for a role (without
 * its path), `policy ARN` for a managed policy, the ARN itself otherwise.
 */
export function displayResource(resource: string): string {
  const m = /^arn:aws:iam::[^:]*:(role|policy)\/(.*)$/.exec(resource)
  if (m === null) return resource
  if (m[1] === 'policy') return `policy ${resource}`
  const name = (m[2] ?? '').split('/').pop() ?? ''
  return `role ${name}`
}

/** Which layer decided a denial, and whether it was an explicit deny. */
function denyingLayer(why: Explanation): { layer: Layer; explicit: boolean } {
  const byName = new Map(why.layers.map((l) => [l.layer, l]))
  if (why.decision === 'explicitDeny') {
    for (const name of ORDER) {
      const l = byName.get(name)
      if (l?.statements.some((s) => s.matched && s.effect === 'Deny') === true)
        return { layer: name, explicit: true }
    }
  }
  for (const name of ORDER) {
    const l = byName.get(name)
    if (l !== undefined && l.decision !== 'allowed') return { layer: name, explicit: false }
  }
  return { layer: 'identity', explicit: why.decision === 'explicitDeny' }
}

/**
 * AWS's AccessDenied message for a denied signed call, in the form AWS has used since
 * 2021 for IAM ("Troubleshooting access denied error messages", IAM User Guide):
 *
 * > User: arn:aws:sts::111122223333:assumed-role/R/s is not authorized to perform:
 * > iam:GetRole on resource: role R because no identity-based policy allows the
 * > iam:GetRole action
 *
 * and, for an explicit deny, `… on resource: role R with an explicit deny in an
 * identity-based policy`. Only one policy type is named, as AWS does.
 */
export function accessDeniedMessage(
  principalArn: string,
  action: string,
  resource: string,
  why: Explanation | undefined,
): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${displayResource(resource)}`
  const { layer, explicit } =
    why === undefined ? { layer: 'identity' as const, explicit: false } : denyingLayer(why)
  return explicit
    ? `${head} with an explicit deny in ${NAMES[layer].a}`
    : `${head} because ${NAMES[layer].no} allows the ${action} action`
}
