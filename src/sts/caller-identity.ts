import {
  awsError,
  COMMON_ERRORS,
  struct,
  type QueryContext,
  type ResultStruct,
} from '../aws/index.js'
import type { Principal } from '../iam/index.js'

/**
 * GetCallerIdentity: who signed the request. Needs no permission and cannot be denied.
 * The root key answers its account id and `arn:aws:iam::ACCOUNT:root`; a role session
 * `ROLEID:SESSION` and `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
 */
export function getCallerIdentity(ctx: QueryContext<Principal>): ResultStruct {
  const p = ctx.caller?.principal
  if (p === undefined) throw awsError(COMMON_ERRORS.MissingAuthenticationToken)
  return struct({ UserId: p.userId, Account: p.accountId, Arn: p.arn })
}
