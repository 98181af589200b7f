import {
  compilePolicy,
  evaluate,
  explain,
  type CompiledPolicy,
  type ContextEntry,
  type ContextKeyType,
  type Decision,
  type EvalRequest,
  type PolicyKind,
  type PolicySet,
  type RequestPrincipal,
} from '../../../src/policy/index.js'

/** A policy document with the usual Version, from statements. */
export function doc(statements: unknown[] | object, version: string | null = '2012-10-17'): string {
  return JSON.stringify(
    version === null ? { Statement: statements } : { Version: version, Statement: statements },
    null,
    2,
  )
}

let counter = 0
/** Compiles a document (text, or statements to wrap with {@link doc}). */
export function policy(
  text: string | unknown[] | object,
  kind: PolicyKind = 'identity',
  id = `p${++counter}.json`,
): CompiledPolicy {
  const t = typeof text === 'string' ? text : doc(text)
  return compilePolicy(t, kind, { id, type: kind === 'trust' ? 'resource' : 'user-managed' })
}

/** One allow statement for s3:GetObject on everything, plus the given condition. */
export function allowIf(condition: object, version: string | null = '2012-10-17'): CompiledPolicy {
  return policy(
    doc(
      [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition }],
      version,
    ),
  )
}

/** A context entry. */
export function v(type: ContextKeyType, ...values: string[]): ContextEntry {
  return { type, values }
}
export const s = (value: string): ContextEntry => v('string', value)
export const list = (...values: string[]): ContextEntry => v('stringList', ...values)

export function request(
  context: Record<string, ContextEntry> = {},
  over: Partial<EvalRequest> = {},
): EvalRequest {
  return { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', context, ...over }
}

/** The decision for `req` against `set`, checking that explain agrees with evaluate. */
export function decide(
  req: EvalRequest,
  set: PolicySet<CompiledPolicy> | CompiledPolicy,
): Decision {
  const ps: PolicySet<CompiledPolicy> = 'statements' in set ? { identity: [set] } : set
  const e = evaluate(req, ps)
  const x = explain(req, ps)
  if (x.decision !== e.decision || JSON.stringify(x.matched) !== JSON.stringify(e.matched))
    throw new Error(`explain disagrees with evaluate: ${x.decision} vs ${e.decision}`)
  if (JSON.stringify(x.missingContextKeys) !== JSON.stringify(e.missingContextKeys))
    throw new Error('explain and evaluate report different missing keys')
  return e.decision
}

/** Whether the single-condition allow policy allows the request context. */
export function holds(
  condition: object,
  context: Record<string, ContextEntry>,
  version?: string | null,
): boolean {
  return decide(request(context), allowIf(condition, version)) === 'allowed'
}

export const aws = (id: string, account?: string): RequestPrincipal =>
  account === undefined ? { type: 'AWS', id } : { type: 'AWS', id, account }
export const federated = (id: string): RequestPrincipal => ({ type: 'Federated', id })
