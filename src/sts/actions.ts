import type { QueryAction } from '../aws/index.js'
import type { Clock, Logger } from '../core/index.js'
import { PolicyCache, type Authorizer, type Principal } from '../iam/index.js'
import type { Store } from '../store/index.js'
import { assumeRole } from './assume-role.js'
import { getCallerIdentity } from './caller-identity.js'
import type { JwksFetcher } from './jwks-fetcher.js'
import { StsLookups } from './lookups.js'
import { TokenMemo } from './token-memo.js'
import type { SessionCodec } from './session-codec.js'
import { assumeRoleWithWebIdentity } from './web-identity.js'

/** What the STS actions need. */
interface StsDeps {
  readonly store: Store
  readonly clock: Clock
  readonly sessions: SessionCodec
  readonly jwks: JwksFetcher
  readonly authorizer: Authorizer
  readonly logger?: Logger
  /** Compiled trust and session policies (one is made when absent). */
  readonly cache?: PolicyCache
}

/**
 * STS's actions for the AWS endpoint: `AssumeRoleWithWebIdentity` (unsigned),
 * `GetCallerIdentity` and `AssumeRole` (signed).
 */
export function createStsActions(deps: StsDeps): readonly QueryAction<Principal>[] {
  const trustCache = deps.cache ?? new PolicyCache()
  const web = {
    ...deps,
    trustCache,
    lookups: new StsLookups(deps.store),
    memo: new TokenMemo(),
  }
  return [
    {
      service: 'sts',
      action: 'AssumeRoleWithWebIdentity',
      auth: 'none',
      handle: (ctx) => assumeRoleWithWebIdentity(web, ctx),
    },
    { service: 'sts', action: 'GetCallerIdentity', auth: 'sigv4', handle: getCallerIdentity },
    {
      service: 'sts',
      action: 'AssumeRole',
      auth: 'sigv4',
      handle: (ctx) => assumeRole(web, ctx),
    },
  ]
}
