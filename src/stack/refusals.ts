import type { Refusal } from '../aws/index.js'
import type { Principal } from '../iam/index.js'
import type { Store } from '../store/index.js'

/** A refusal of the AWS endpoint or of its S3 (whose service is `s3`). */
type AnyRefusal = Omit<Refusal<Principal>, 'service'> & { readonly service: string | undefined }

/** Which step refused the request: its signature, or the action once it was signed. */
function stageOf(r: AnyRefusal): string {
  return r.caller === undefined ? 'authentication' : 'action'
}

/**
 * The decision log's record of a request the AWS endpoint answered with an error that
 * no handler recorded: a failed authentication (bad signature, unknown key, a session
 * token that does not open, expired credentials) or a request refused after it was
 * authorised (a validation error such as MalformedPolicyDocument). Handlers that record
 * their own refusals (STS's checks, the authoriser's denials) are not recorded twice.
 */
export function recordRefusals(store: Store): (r: AnyRefusal) => void {
  return (r) => {
    if (store.decisions.byRequestId(r.requestId).some((d) => d.decision !== 'allowed')) return
    const p = r.caller?.principal
    store.decisions.append({
      requestId: r.requestId,
      at: r.at,
      ...(p !== undefined ? { accountId: p.accountId, principal: p.arn } : {}),
      action: `${r.service ?? 'unknown'}:${r.action}`,
      decision: 'rejected',
      errorCode: r.errorCode,
      reasons: {
        check: stageOf(r),
        why: r.reason ?? r.message,
        ...(r.caller === undefined ? {} : { accessKeyId: r.caller.accessKeyId }),
      },
    })
  }
}
