import { struct, timestamp, type ResultStruct } from '../aws/index.js'
import type { RoleSessionPrincipal } from '../iam/index.js'
import type { IssuedCredentials } from './session-codec.js'

/** The `Credentials` and `AssumedRoleUser` members every assume action answers with. */
export function sessionResult(
  creds: IssuedCredentials,
  principal: RoleSessionPrincipal,
): { readonly Credentials: ResultStruct; readonly AssumedRoleUser: ResultStruct } {
  return {
    Credentials: struct({
      AccessKeyId: creds.accessKeyId,
      SecretAccessKey: creds.secretAccessKey,
      SessionToken: creds.sessionToken,
      Expiration: timestamp(creds.expiresAtMs),
    }),
    AssumedRoleUser: struct({ AssumedRoleId: principal.userId, Arn: principal.arn }),
  }
}
