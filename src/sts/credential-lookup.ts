import type { CredentialLookup } from '../aws/index.js'
import type { Clock } from '../core/index.js'
import { rootPrincipal, type Principal } from '../iam/index.js'
import type { Store } from '../store/index.js'
import { isSessionAccessKeyId } from './credentials.js'
import type { SessionCodec } from './session-codec.js'

/** What {@link createCredentialLookup} needs. */
interface CredentialLookupDeps {
  readonly store: Store
  readonly sessions: SessionCodec
  readonly clock: Clock
}

/**
 * The credential lookup of the AWS endpoint. Long-term keys (`AKIA…`) come from
 * `store.accessKeys` and sign as the root principal of their account; an `Inactive` key,
 * or a long-term key sent with a session token, is unknown. Temporary keys (`ASIA…`)
 * need the session token they were issued with: it must open under the session key and
 * name this key id; once its session has ended the answer is `expired`.
 */
export function createCredentialLookup(deps: CredentialLookupDeps): CredentialLookup<Principal> {
  const { store, sessions, clock } = deps
  return ({ accessKeyId, sessionToken }) => {
    if (isSessionAccessKeyId(accessKeyId)) {
      if (sessionToken === undefined)
        return { status: 'unknown', reason: 'temporary access key sent without its session token' }
      const opened = sessions.open(sessionToken)
      if (opened === undefined)
        return {
          status: 'unknown',
          reason: 'the session token does not open under the session key',
        }
      if (opened.accessKeyId !== accessKeyId)
        return { status: 'unknown', reason: 'the session token belongs to another access key' }
      if (clock.now() >= opened.principal.expiresAtMs)
        return { status: 'expired', reason: `session ${opened.principal.arn} has expired` }
      return {
        status: 'found',
        secretAccessKey: opened.secretAccessKey,
        principal: opened.principal,
      }
    }
    const key = store.accessKeys.get(accessKeyId)
    if (key === undefined) return { status: 'unknown', reason: 'no such access key' }
    if (key.status !== 'Active') return { status: 'unknown', reason: 'the access key is inactive' }
    if (sessionToken !== undefined)
      return { status: 'unknown', reason: 'a session token was sent with a long-term key' }
    return {
      status: 'found',
      secretAccessKey: key.secretAccessKey,
      principal: rootPrincipal(key.accountId),
    }
  }
}
