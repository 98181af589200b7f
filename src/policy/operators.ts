/**
 * Condition operator names: the base operators of the IAM condition operator reference
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
 * the `...IfExists` suffix (any operator but `Null`) and the `ForAllValues:` /
 * `ForAnyValue:` set qualifiers
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
 */

type OperatorFamily = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null'

/** How the request value is compared with one policy value. */
export type Comparison = 'eq' | 'eqi' | 'like' | 'lt' | 'le' | 'gt' | 'ge' | 'in' | 'null'

export interface OperatorSpec {
  /** The base operator's canonical name, e.g. `StringNotLike`. */
  readonly base: string
  readonly family: OperatorFamily
  readonly comparison: Comparison
  /**
   * Negated operators (`StringNotEquals`, `NotIpAddress`, ...) hold when the request value
   * matches none of the policy values, and when the key is absent.
   */
  readonly negated: boolean
  readonly ifExists: boolean
  readonly set: 'none' | 'any' | 'all'
}

type Base = Pick<OperatorSpec, 'base' | 'family' | 'comparison' | 'negated'>

const b = (
  base: string,
  family: OperatorFamily,
  comparison: Comparison,
  negated = false,
): Base => ({
  base,
  family,
  comparison,
  negated,
})

const BASES: readonly Base[] = [
  b('StringEquals', 'string', 'eq'),
  b('StringNotEquals', 'string', 'eq', true),
  b('StringEqualsIgnoreCase', 'string', 'eqi'),
  b('StringNotEqualsIgnoreCase', 'string', 'eqi', true),
  b('StringLike', 'string', 'like'),
  b('StringNotLike', 'string', 'like', true),
  b('NumericEquals', 'numeric', 'eq'),
  b('NumericNotEquals', 'numeric', 'eq', true),
  b('NumericLessThan', 'numeric', 'lt'),
  b('NumericLessThanEquals', 'numeric', 'le'),
  b('NumericGreaterThan', 'numeric', 'gt'),
  b('NumericGreaterThanEquals', 'numeric', 'ge'),
  b('DateEquals', 'date', 'eq'),
  b('DateNotEquals', 'date', 'eq', true),
  b('DateLessThan', 'date', 'lt'),
  b('DateLessThanEquals', 'date', 'le'),
  b('DateGreaterThan', 'date', 'gt'),
  b('DateGreaterThanEquals', 'date', 'ge'),
  b('Bool', 'bool', 'eq'),
  b('BinaryEquals', 'binary', 'eq'),
  b('IpAddress', 'ip', 'in'),
  b('NotIpAddress', 'ip', 'in', true),
  // "ArnEquals and ArnLike behave identically" (condition operator reference, ARN operators).
  b('ArnEquals', 'arn', 'like'),
  b('ArnLike', 'arn', 'like'),
  b('ArnNotEquals', 'arn', 'like', true),
  b('ArnNotLike', 'arn', 'like', true),
  b('Null', 'null', 'null'),
]

const BY_NAME = new Map(BASES.map((x) => [x.base.toLowerCase(), x]))

/** Every base operator name, for documentation and tests. */
export const BASE_OPERATORS: readonly string[] = BASES.map((x) => x.base)

/**
 * Parses an operator as written in a policy (matched case-insensitively), or undefined
 * when IAM does not know it (`NullIfExists` included: Null already tests for absence).
 */
export function parseOperator(written: string): OperatorSpec | undefined {
  let rest = written.toLowerCase()
  let set: OperatorSpec['set'] = 'none'
  if (rest.startsWith('forallvalues:')) {
    set = 'all'
    rest = rest.slice('forallvalues:'.length)
  } else if (rest.startsWith('foranyvalue:')) {
    set = 'any'
    rest = rest.slice('foranyvalue:'.length)
  }
  let ifExists = false
  let base = BY_NAME.get(rest)
  if (base === undefined && rest.endsWith('ifexists')) {
    ifExists = true
    base = BY_NAME.get(rest.slice(0, -'ifexists'.length))
  }
  if (base === undefined) return undefined
  // A set qualifier on Null changes nothing (Null only tests presence); IfExists on Null is
  // meaningless and IAM rejects it.
  if (base.family === 'null' && ifExists) return undefined
  // Spelled out, not `{ ...base, ifExists, set }`: V8 gives every object built by a spread
  // followed by more properties a map of its own, and conditionHolds reads these fields on
  // every evaluation (thousands of maps made those loads megamorphic and missing).
  return {
    base: base.base,
    family: base.family,
    comparison: base.comparison,
    negated: base.negated,
    ifExists,
    set,
  }
}

/** Whether policy variables are substituted in this family's values (String and ARN only). */
export function allowsVariables(family: OperatorFamily): boolean {
  return family === 'string' || family === 'arn'
}
