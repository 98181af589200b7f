import { awsError, IAM_ERRORS } from '../../aws/index.js'
import type { CompiledPolicy, PolicySet } from '../../policy/index.js'
import type { Store } from '../../store/index.js'
import type { IamActionSpec, IamCall } from '../action-kit.js'
import { noSuchRole } from '../errors.js'
import { pageStruct, readPaging } from '../paging.js'
import type { PolicyCache } from '../policy-cache.js'
import { rolePolicies } from '../role-policy-set.js'
import { readContextEntries, readDocuments, readNames } from './simulate-inputs.js'
import { simulatePage, type Simulation } from './simulate-page.js'
import { ACTION_NAME, ARN, RESOURCE_NAME, required } from '../rules.js'

/** The inputs both simulations share, read once the caller is authorised. */
interface Inputs {
  readonly inputs: string[]
  readonly boundaryInputs: string[]
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  readonly context: Simulation['context']
  readonly paging: ReturnType<typeof readPaging>
}

function readInputs(call: IamCall, policiesRequired: boolean): Inputs {
  const inputs = readDocuments(call, 'PolicyInputList', policiesRequired)
  const boundaryInputs = readDocuments(call, 'PermissionsBoundaryPolicyInputList', false)
  const actions = readNames(call, 'ActionNames', ACTION_NAME, true) ?? []
  const resources = readNames(call, 'ResourceArns', RESOURCE_NAME, false) ?? ['*']
  const context = readContextEntries(call.ctx.params, call)
  const paging = readPaging(call.v)
  call.v.check()
  return { inputs, boundaryInputs, actions, resources, context, paging }
}

/** The page asked for, rendered as `SimulatePolicyResponse`'s members. */
function answer(set: PolicySet<CompiledPolicy>, input: Inputs): ReturnType<typeof pageStruct> {
  const { actions, resources, context } = input
  return pageStruct(
    'EvaluationResults',
    simulatePage({ set, actions, resources, context }, input.paging),
  )
}

/**
 * `SimulatePrincipalPolicy` and `SimulateCustomPolicy`, through the same policy engine.
 * The caller is authorised before anything proportional to the input is read: the
 * action's resource is a scalar (`PolicySourceArn`, or `*`).
 */
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
        call.v.check()
        call.authorize(sourceArn)
        const input = readInputs(call, false)
        const m = /^arn:aws:iam::([0-9]{12}):role\/(?:.*\/)?([^/]+)$/.exec(sourceArn)
        if (m === null)
          throw awsError(IAM_ERRORS.InvalidInput, { variant: 'badArn', params: { arn: sourceArn } })
        const roleName = m[2] ?? ''
        const role = m[1] === call.accountId ? store.roles.get(call.accountId, roleName) : undefined
        if (role?.arn !== sourceArn) throw noSuchRole(roleName)
        const own = rolePolicies(store, cache, role)
        const boundary =
          input.boundaryInputs.length > 0
            ? compileInputs(input.boundaryInputs, 'boundary', 'PermissionsBoundaryPolicyInputList')
            : own.boundary
        const extra = compileInputs(input.inputs, 'identity', 'PolicyInputList')
        return answer(
          {
            identity: [...own.identity, ...extra],
            ...(boundary === undefined ? {} : { boundary }),
          },
          input,
        )
      },
    },
    {
      name: 'SimulateCustomPolicy',
      handle(call) {
        call.authorize('*')
        const input = readInputs(call, true)
        const boundary =
          input.boundaryInputs.length > 0
            ? compileInputs(input.boundaryInputs, 'boundary', 'PermissionsBoundaryPolicyInputList')
            : undefined
        const identity = compileInputs(input.inputs, 'identity', 'PolicyInputList')
        return answer({ identity, ...(boundary === undefined ? {} : { boundary }) }, input)
      },
    },
  ]
}
