import {
  awsError,
  IAM_ERRORS,
  list,
  struct,
  type QueryParams,
  type ResultStruct,
} from '../../aws/index.js'
import {
  CONTEXT_KEY_TYPES,
  evaluate,
  explain,
  type CompiledPolicy,
  type ContextEntry,
  type ContextKeyType,
  type PolicySet,
  type RequestContext,
  type StatementRef,
} from '../../policy/index.js'
import type { Store } from '../../store/index.js'
import type { IamActionSpec, IamCall } from '../action-kit.js'
import { noSuchRole } from '../errors.js'
import { pagedResult, readPaging } from '../paging.js'
import type { PolicyCache } from '../policy-cache.js'
import { rolePolicies } from '../role-policy-set.js'
import {
  ACTION_NAME,
  ARN,
  CONTEXT_KEY,
  POLICY_DOCUMENT,
  RESOURCE_NAME,
  required,
} from '../rules.js'

const TYPES = new Set<string>(CONTEXT_KEY_TYPES)

/** Reads `ContextEntries.member.N.{ContextKeyName, ContextKeyType, ContextKeyValues.member.M}`. */
export function readContextEntries(params: QueryParams, call: IamCall): RequestContext {
  const ctx: Record<string, ContextEntry> = {}
  ;(params.structs('ContextEntries') ?? []).forEach((s, i) => {
    const at = `contextEntries.${i + 1}.member`
    const key = s.string('ContextKeyName')
    const type = s.string('ContextKeyType')
    const values = s.list('ContextKeyValues') ?? []
    if (key === undefined) call.v.fail(`${at}.contextKeyName`, undefined, 'Member must not be null')
    else if (key.length < (CONTEXT_KEY.min ?? 5) || key.length > (CONTEXT_KEY.max ?? 256))
      call.v.fail(
        `${at}.contextKeyName`,
        key,
        key.length < 5
          ? 'Member must have length greater than or equal to 5'
          : 'Member must have length less than or equal to 256',
      )
    if (type === undefined)
      call.v.fail(`${at}.contextKeyType`, undefined, 'Member must not be null')
    else if (!TYPES.has(type))
      call.v.fail(
        `${at}.contextKeyType`,
        type,
        `Member must satisfy enum value set: [${CONTEXT_KEY_TYPES.join(', ')}]`,
      )
    if (key !== undefined && type !== undefined && TYPES.has(type))
      ctx[key] = {
        type: type as ContextKeyType,
        values: type.endsWith('List') ? values : values.slice(0, 1),
      }
  })
  return ctx
}

function readDocuments(call: IamCall, name: string, required: boolean): string[] {
  const docs = required ? call.v.list(name, { required: true }) : (call.v.list(name) ?? [])
  const member = name.charAt(0).toLowerCase() + name.slice(1)
  docs.forEach((d, i) => {
    if (d.length < 1 || !(POLICY_DOCUMENT.pattern?.test(d) ?? true))
      call.v.fail(
        `${member}.${i + 1}.member`,
        d.length > 64 ? `${d.slice(0, 64)}…` : d,
        d.length < 1
          ? 'Member must have length greater than or equal to 1'
          : `Member must satisfy regular expression pattern: ${POLICY_DOCUMENT.patternText ?? ''}`,
      )
  })
  return docs
}

function readNames(
  call: IamCall,
  name: string,
  rule: { min?: number; max?: number },
  req: boolean,
): string[] | undefined {
  const values = req ? call.v.list(name, { required: true }) : call.v.list(name)
  const member = name.charAt(0).toLowerCase() + name.slice(1)
  values?.forEach((x, i) => {
    if (rule.min !== undefined && x.length < rule.min)
      call.v.fail(
        `${member}.${i + 1}.member`,
        x,
        `Member must have length greater than or equal to ${rule.min}`,
      )
    if (rule.max !== undefined && x.length > rule.max)
      call.v.fail(
        `${member}.${i + 1}.member`,
        x,
        `Member must have length less than or equal to ${rule.max}`,
      )
  })
  return values
}

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
