import { awsError, IAM_ERRORS, list, struct, type ResultStruct } from '../../aws/index.js'
import {
  evaluate,
  explain,
  type CompiledPolicy,
  type PolicySet,
  type RequestContext,
  type StatementRef,
} from '../../policy/index.js'
import type { Store } from '../../store/index.js'
import type { IamActionSpec } from '../action-kit.js'
import { noSuchRole } from '../errors.js'
import { pagedResult, readPaging } from '../paging.js'
import type { PolicyCache } from '../policy-cache.js'
import { rolePolicies } from '../role-policy-set.js'
import { readContextEntries, readDocuments, readNames } from './simulate-inputs.js'
import { ACTION_NAME, ARN, RESOURCE_NAME, required } from '../rules.js'

const position = (p: { line: number; column: number }): ResultStruct =>
  struct({ Line: p.line, Column: p.column })

const statement = (s: StatementRef): ResultStruct =>
  struct({
    SourcePolicyId: s.policyId,
    SourcePolicyType: s.policyType,
    StartPosition: position(s.start),
    EndPosition: position(s.end),
  })

interface Simulation {
  readonly set: PolicySet<CompiledPolicy>
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  readonly context: RequestContext
  readonly principal?: { readonly type: 'AWS'; readonly id: string; readonly account: string }
}

/**
 * Every context key that a statement which applies to the request (its action, resource
 * and principal matched) refers to in a condition and the request lacks: the simulator's
 * MissingContextValues. The engine stops at a statement's first failing condition; AWS's
 * simulator lists every key it would need, so the keys are gathered here.
 */
function missingContextValues(
  sim: Simulation,
  action: string,
  resource: string,
  found: readonly string[],
): string[] {
  const why = explain({ action, resource, context: sim.context }, sim.set)
  const policies = [
    ...(sim.set.identity ?? []),
    ...(sim.set.boundary ?? []),
    ...(sim.set.session ?? []),
  ]
  const present = new Set(Object.keys(sim.context).map((k) => k.toLowerCase()))
  const out = new Map<string, string>()
  for (const k of found) out.set(k.toLowerCase(), k)
  for (const layer of why.layers)
    for (const t of layer.statements) {
      if (!t.matched && t.reason?.element !== 'condition') continue
      const policy = policies.find(
        (p) => p.id === t.statement.policyId && p.type === t.statement.policyType,
      )
      const stmt = policy?.statements.find((s) => s.ref.index === t.statement.index)
      for (const c of stmt?.conditions ?? [])
        if (!present.has(c.key.toLowerCase()) && !out.has(c.key.toLowerCase()))
          out.set(c.key.toLowerCase(), c.key)
    }
  return [...out.values()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
}

/** One EvaluationResult per action and resource, in the order asked. */
function simulate(sim: Simulation): ResultStruct[] {
  const out: ResultStruct[] = []
  for (const action of sim.actions)
    for (const resource of sim.resources) {
      const r = evaluate(
        {
          action,
          resource,
          context: sim.context,
          ...(sim.principal === undefined ? {} : { principal: sim.principal }),
        },
        sim.set,
      )
      const boundary =
        sim.set.boundary === undefined
          ? undefined
          : struct({
              AllowedByPermissionsBoundary:
                evaluate({ action, resource, context: sim.context }, { boundary: sim.set.boundary })
                  .decision === 'allowed',
            })
      out.push(
        struct({
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: r.decision,
          MatchedStatements: list(r.matched.map(statement)),
          MissingContextValues: list(
            missingContextValues(sim, action, resource, r.missingContextKeys),
          ),
          PermissionsBoundaryDecisionDetail: boundary,
        }),
      )
    }
  return out
}

/** `SimulatePrincipalPolicy` and `SimulateCustomPolicy`, through the same policy engine. */
export function simulateActions(store: Store, cache: PolicyCache): IamActionSpec[] {
  const compileInputs = (
    docs: readonly string[],
    kind: 'identity' | 'boundary',
    name: string,
  ): CompiledPolicy[] => docs.map((d, i) => cache.get(d, kind, `${name}.${i + 1}`, 'none'))
  return [
    {
      name: 'SimulatePrincipalPolicy',
      handle(call) {
        const sourceArn = call.v.string('PolicySourceArn', required(ARN))
        const inputs = readDocuments(call, 'PolicyInputList', false)
        const boundaryInputs = readDocuments(call, 'PermissionsBoundaryPolicyInputList', false)
        const actions = readNames(call, 'ActionNames', ACTION_NAME, true) ?? []
        const resources = readNames(call, 'ResourceArns', RESOURCE_NAME, false) ?? ['*']
        const context = readContextEntries(call.ctx.params, call)
        const paging = readPaging(call.v)
        call.v.check()
        call.authorize(sourceArn)
        const m = /^arn:aws:iam::([0-9]{12}):role\/(?:.*\/)?([^/]+)$/.exec(sourceArn)
        if (m === null)
          throw awsError(IAM_ERRORS.InvalidInput, { variant: 'badArn', params: { arn: sourceArn } })
        const roleName = m[2] ?? ''
        const role = m[1] === call.accountId ? store.roles.get(call.accountId, roleName) : undefined
        if (role?.arn !== sourceArn) throw noSuchRole(roleName)
        const own = rolePolicies(store, cache, role)
        const boundary =
          boundaryInputs.length > 0
            ? compileInputs(boundaryInputs, 'boundary', 'PermissionsBoundaryPolicyInputList')
            : own.boundary
        const set: PolicySet<CompiledPolicy> = {
          identity: [...own.identity, ...compileInputs(inputs, 'identity', 'PolicyInputList')],
          ...(boundary === undefined ? {} : { boundary }),
        }
        const results = simulate({ set, actions, resources, context })
        return pagedResult('EvaluationResults', results, paging, (r) => r)
      },
    },
    {
      name: 'SimulateCustomPolicy',
      handle(call) {
        const inputs = readDocuments(call, 'PolicyInputList', true)
        const boundaryInputs = readDocuments(call, 'PermissionsBoundaryPolicyInputList', false)
        const actions = readNames(call, 'ActionNames', ACTION_NAME, true) ?? []
        const resources = readNames(call, 'ResourceArns', RESOURCE_NAME, false) ?? ['*']
        const context = readContextEntries(call.ctx.params, call)
        const paging = readPaging(call.v)
        call.v.check()
        call.authorize('*')
        const set: PolicySet<CompiledPolicy> = {
          identity: compileInputs(inputs, 'identity', 'PolicyInputList'),
          ...(boundaryInputs.length > 0
            ? {
                boundary: compileInputs(
                  boundaryInputs,
                  'boundary',
                  'PermissionsBoundaryPolicyInputList',
                ),
              }
            : {}),
        }
        const results = simulate({ set, actions, resources, context })
        return pagedResult('EvaluationResults', results, paging, (r) => r)
      },
    },
  ]
}
