import {
  awsError,
  IAM_ERRORS,
  QueryValidation,
  type QueryAction,
  type QueryContext,
  type ResultStruct,
} from '../aws/index.js'
import type { Clock, Logger } from '../core/index.js'
import type { Store } from '../store/index.js'
import type { Authorizer } from './authorizer.js'
import { toIamError } from './errors.js'
import type { PolicyCache } from './policy-cache.js'
import type { Principal } from './principal.js'

/** What {@link createIamActions} is built from. */
export interface IamDeps {
  readonly store: Store
  readonly clock: Clock
  readonly authorizer: Authorizer
  readonly logger?: Logger
  /** Compiled-policy cache for the simulator (one is made when absent). */
  readonly cache?: PolicyCache
}

/** One signed IAM call, as a handler sees it. */
export interface IamCall {
  readonly ctx: QueryContext<Principal>
  readonly principal: Principal
  /** The caller's account: every IAM action acts on it. */
  readonly accountId: string
  /** Model validation of this call's parameters (AWS's ValidationError wording). */
  readonly v: QueryValidation
  /** Asks the authoriser; throws AccessDenied. `iam:` is prefixed to the action name. */
  authorize(resource: string, context?: Readonly<Record<string, string | readonly string[]>>): void
}

/** An IAM action: its name and what it does once its caller is known. */
export interface IamActionSpec {
  readonly name: string
  handle(call: IamCall): ResultStruct | undefined
}

/** Wraps specs as signed Query actions: caller, validation, authorisation, error mapping. */
export function toQueryActions(
  deps: IamDeps,
  specs: readonly IamActionSpec[],
): QueryAction<Principal>[] {
  return specs.map((spec) => ({
    service: 'iam',
    action: spec.name,
    auth: 'sigv4',
    handle(ctx) {
      const caller = ctx.caller
      if (caller === undefined)
        throw awsError(IAM_ERRORS.ServiceFailure, { reason: 'signed IAM action without a caller' })
      const principal = caller.principal
      const call: IamCall = {
        ctx,
        principal,
        accountId: principal.accountId,
        v: new QueryValidation(ctx.params, IAM_ERRORS.ValidationError),
        authorize(resource, context) {
          deps.authorizer.authorize({
            requestId: ctx.requestId,
            principal,
            action: `iam:${spec.name}`,
            resource,
            region: caller.region,
            ...(context === undefined ? {} : { context }),
            ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
          })
        },
      }
      try {
        return spec.handle(call)
      } catch (e) {
        throw toIamError(e)
      }
    },
  }))
}
