import { awsError, COMMON_ERRORS } from '../aws/index.js'
import type { Clock } from '../core/index.js'
import {
  explain,
  type CompiledPolicy,
  type EvalRequest,
  type Explanation,
  type PolicySet,
} from '../policy/index.js'
import { GenerationMemo, type Store } from '../store/index.js'
import { accessDeniedMessage, displayResource } from './access-denied.js'
import { changesAwsManagedPolicy } from './aws-managed-guard.js'
import { PolicyCache } from './policy-cache.js'
import type { Principal, RoleSessionPrincipal } from './principal.js'
import { buildRequestContext } from './request-context.js'
import { compileManaged, rolePolicies } from './role-policy-set.js'
import { explanationReasons } from './reasons.js'

/** One authorisation question: may this principal do this action on this resource? */
interface AuthorizeRequest {
  readonly requestId: string
  readonly principal: Principal
  /** `service:Action`, e.g. `iam:GetRole`. */
  readonly action: string
  /** The resource ARN as the service authorisation reference defines it, or `*`. */
  readonly resource: string
  /** The action's own condition keys (`iam:PolicyARN`, `aws:RequestTag/k`, `aws:TagKeys`…). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>
  /** The client address (`aws:SourceIp`). */
  readonly sourceIp?: string
  /** The credential scope's region (`aws:RequestedRegion`). */
  readonly region?: string
}

/** Decides signed calls; throws AWS's `AccessDenied` and records every decision. */
export interface Authorizer {
  authorize(req: AuthorizeRequest): void
}

/** What {@link createAuthorizer} needs. */
interface AuthorizerDeps {
  readonly store: Store
  readonly clock: Clock
  /** Shared compiled-policy cache (one is made when absent). */
  readonly cache?: PolicyCache
}

/** A role session's policy layers and its role's tags (`aws:PrincipalTag/…`). */
export interface SessionPolicyLayers {
  readonly set: PolicySet<CompiledPolicy>
  readonly roleTags: readonly { key: string; value: string }[]
}

/**
 * The policy layers of role sessions, compiled through `cache`: the role's identity
 * policies, its permissions boundary (when it has one) and the session policies of the
 * assume call (when it passed any), with the role's tags. Reused while the store's
 * generation stays the same (see `GenerationMemo`), so a pod signing call after call costs
 * no role, policy or tag read; any change to the database applies to the next call.
 */
export class SessionPolicies {
  readonly #store: Store
  readonly #cache: PolicyCache
  readonly #memo = new GenerationMemo<SessionPolicyLayers>()

  constructor(store: Store, cache: PolicyCache) {
    this.#store = store
    this.#cache = cache
  }

  /** The layers of `p`; undefined when its role no longer exists (looked up by unique id). */
  load(p: RoleSessionPrincipal): SessionPolicyLayers | undefined {
    const key = `${p.roleId}\n${(p.sessionPolicyArns ?? []).join(' ')}\n${p.sessionPolicy ?? ''}`
    return this.#memo.get(key, this.#store.generation(), () => this.#read(p))
  }

  #read(p: RoleSessionPrincipal): SessionPolicyLayers | undefined {
    const store = this.#store
    const cache = this.#cache
    // By unique id: a role deleted and created again under the same name is another role,
    // and grants nothing to the old one's sessions.
    const role = store.roles.getById(p.roleId)
    if (role === undefined) return undefined
    const own = rolePolicies(store, cache, role)
    const session: CompiledPolicy[] = []
    if (p.sessionPolicy !== undefined)
      session.push(cache.get(p.sessionPolicy, 'session', 'session policy', 'none'))
    for (const arn of p.sessionPolicyArns ?? []) {
      const c = compileManaged(store, cache, arn, 'session')
      if (c !== undefined) session.push(c)
    }
    const withSession = p.sessionPolicy !== undefined || (p.sessionPolicyArns?.length ?? 0) > 0
    return {
      set: {
        identity: own.identity,
        ...(own.boundary === undefined ? {} : { boundary: own.boundary }),
        ...(withSession ? { session } : {}),
      },
      roleTags: role.tags,
    }
  }
}

/**
 * The authoriser of every signed IAM (and EKS) call. The account's root principal may do
 * anything. A role session may do what its role's identity policies (attached managed and
 * inline) allow, cut down by the role's permissions boundary and by the session policies
 * of the assume call; an explicit Deny in any of them wins. Policies are compiled once per
 * document text (see {@link PolicyCache}). Every decision, allowed or not, is recorded in
 * `store.decisions` with the explanation's reasons (allowed ones queued and written in
 * batches, denials at once); a denial throws `AccessDenied` worded as AWS words it.
 */
export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const cache = deps.cache ?? new PolicyCache()
  const { store, clock } = deps
  const sessions = new SessionPolicies(store, cache)
  return {
    authorize(req) {
      const nowMs = clock.now()
      const base = {
        requestId: req.requestId,
        at: nowMs,
        accountId: req.principal.accountId,
        principal: req.principal.arn,
        action: req.action,
        resource: req.resource,
      }
      const p = req.principal
      if (changesAwsManagedPolicy(req.action, req.resource)) {
        store.decisions.append({
          ...base,
          decision: 'implicitDeny',
          errorCode: 'AccessDenied',
          reasons: { rule: 'AWS managed policies cannot be changed by any account' },
        })
        throw awsError(COMMON_ERRORS.AccessDenied, {
          params: { principal: p.arn, action: req.action, resource: displayResource(req.resource) },
          reason: `${req.action} on the AWS managed policy ${req.resource}`,
        })
      }
      if (p.kind === 'root') {
        store.decisions.later({
          ...base,
          decision: 'allowed',
          reasons: { rule: 'the account root user may perform every action in its account' },
        })
        return
      }
      const loaded = sessions.load(p)
      let why: Explanation | undefined
      if (loaded !== undefined) {
        const request: EvalRequest = {
          action: req.action,
          resource: req.resource,
          principal: { type: 'AWS', id: p.arn, account: p.accountId },
          context: buildRequestContext({
            principal: p,
            nowMs,
            sourceIp: req.sourceIp,
            region: req.region,
            roleTags: loaded.roleTags,
            extra: req.context,
          }),
        }
        why = explain(request, loaded.set)
      }
      const decision = why?.decision ?? 'implicitDeny'
      const reasons =
        why === undefined
          ? { rule: `the session's role ${p.roleArn} no longer exists` }
          : explanationReasons(why)
      if (decision === 'allowed') {
        store.decisions.later({ ...base, decision, reasons })
        return
      }
      store.decisions.append({ ...base, decision, errorCode: 'AccessDenied', reasons })
      throw awsError(COMMON_ERRORS.AccessDenied, {
        message: accessDeniedMessage(p.arn, req.action, req.resource, why),
        reason: `${decision} for ${req.action} on ${req.resource}`,
      })
    },
  }
}
