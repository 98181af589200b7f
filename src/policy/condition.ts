/**
 * Condition blocks, compiled once into evaluators.
 *
 * Semantics (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 * - several operators, and several keys under one operator, are ANDed; several values of
 *   one key are ORed; a negated operator (`StringNotEquals`...) holds when the request
 *   value matches none of the values (so its values act as an AND of "not equal");
 * - a key absent from the request makes a positive operator false and a negated one true;
 *   `...IfExists` makes any operator true on an absent key; `Null` tests presence;
 * - `ForAllValues:` holds when every request value matches (and when the key is absent or
 *   empty); `ForAnyValue:` holds when at least one does (false when absent or empty);
 * - an operator without a set qualifier on a multivalued key is false: multivalued keys
 *   "require a condition set operator"
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html);
 * - a value that cannot be read (a number, date, IP address, boolean, base64 or ARN that
 *   does not parse, on either side) or a policy variable without a value fails the
 *   comparison for positive and negated operators alike, so it never makes a condition
 *   true by being unreadable.
 */
import { PolicyValidationError } from './errors.js'
import { MSG } from './messages.js'
import { arnColons, arnPatternMatches, compileArnPattern, type ArnPattern } from './arn.js'
import { cidrContains, parseCidr, parseIp } from './ip.js'
import { allowsVariables, parseOperator, type Comparison, type OperatorSpec } from './operators.js'
import { isMultivalued, lookup, noteMissing, type EvalState } from './state.js'
import {
  describeTemplate,
  parseTemplate,
  renderTemplate,
  templateGlob,
  type Template,
} from './template.js'
import type { ParsedCondition } from './types.js'
import { decodeBase64, parseBool, parseDate, parseNumber } from './values.js'
import { matchGlob, type Glob } from './wildcard.js'

/** Tests one request value against all of a condition's policy values (OR, or AND-not). */
type ValueTest = (rv: string, st: EvalState) => boolean

export interface CompiledCondition {
  /** The operator as written. */
  readonly operator: string
  /** The key as written. */
  readonly key: string
  readonly lower: string
  readonly spec: OperatorSpec
  /** The policy's values as written. */
  readonly values: readonly string[]
  /** The policy's values as templates, when variables may be substituted into them. */
  readonly templates: readonly Template[] | undefined
  readonly test: ValueTest
}

/** Compiles a parsed condition; `variables` is true for Version 2012-10-17 policies. */
export function compileCondition(c: ParsedCondition, variables: boolean): CompiledCondition {
  const spec = parseOperator(c.operator)
  // parsePolicy rejects unknown operators; a hand-built ParsedPolicy with one must not
  // compile into a condition that silently never holds (that would disarm a Deny).
  if (spec === undefined) {
    throw new PolicyValidationError([
      { message: MSG.syntax, path: `/Condition/${c.operator}`, position: c.position },
    ])
  }
  const vars = variables && allowsVariables(spec.family)
  const templates = vars
    ? c.values.map((v) =>
        parseTemplate(v, { variables: true, wildcards: spec.comparison === 'like' }),
      )
    : undefined
  return {
    operator: c.operator,
    key: c.key,
    lower: c.key.toLowerCase(),
    spec,
    values: c.values,
    templates: templates?.some((t) => t.hasVars) === true ? templates : undefined,
    test: compileTest(spec, c.values, vars),
  }
}

function compileTest(spec: OperatorSpec, values: readonly string[], vars: boolean): ValueTest {
  switch (spec.family) {
    case 'string':
      return stringTest(spec, values, vars)
    case 'numeric':
      return orderedTest(spec, values, parseNumber)
    case 'date':
      return orderedTest(spec, values, parseDate)
    case 'bool':
      return parsedTest(spec.negated, values.map(parseBool), parseBool, (x, p) => x === p)
    case 'binary':
      return parsedTest(spec.negated, values.map(decodeBase64), decodeBase64, (x, p) => x === p)
    case 'ip':
      return parsedTest(spec.negated, values.map(parseCidr), parseIp, (x, p) => cidrContains(p, x))
    case 'arn':
      return arnTest(spec.negated, values, vars)
    case 'null':
      return () => false
  }
}

/*
 * Each test compares one request value with every policy value and folds the results:
 * a positive operator holds when some value MATCHes; a negated one when every value was
 * compared and none matched (a FAILed comparison, an unreadable value or a variable
 * without a value, makes both false). The loops are written out, not passed to a helper
 * as closures: this runs for every condition of every statement of every evaluation.
 */
const MATCH = 1
const NO = 0
const FAIL = -1

function stringTest(spec: OperatorSpec, values: readonly string[], vars: boolean): ValueTest {
  const neg = spec.negated
  const like = spec.comparison === 'like'
  const ci = spec.comparison === 'eqi'
  const templates = values.map((v) => parseTemplate(v, { variables: vars, wildcards: like }))
  const n = templates.length
  if (like) {
    const globs: (Glob | undefined)[] = templates.map((t) =>
      t.hasVars ? undefined : templateGlob(t, undefined),
    )
    const likeOne = (i: number, rv: string, st: EvalState): number => {
      const g = globs[i] ?? templateGlob(templates[i] as Template, st.resolve)
      if (g === undefined) return FAIL
      return matchGlob(g, rv) ? MATCH : NO
    }
    return neg
      ? (rv, st) => {
          for (let i = 0; i < n; i++) if (likeOne(i, rv, st) !== NO) return false
          return true
        }
      : (rv, st) => {
          for (let i = 0; i < n; i++) if (likeOne(i, rv, st) === MATCH) return true
          return false
        }
  }
  const consts = templates.map((t) => {
    if (t.hasVars) return undefined
    const s = renderTemplate(t, () => undefined) ?? ''
    return ci ? s.toLowerCase() : s
  })
  const equalsOne = (i: number, r: string, st: EvalState): number => {
    let p = consts[i]
    if (p === undefined) {
      const rendered = renderTemplate(templates[i] as Template, st.resolve)
      if (rendered === undefined) return FAIL
      p = ci ? rendered.toLowerCase() : rendered
    }
    return p === r ? MATCH : NO
  }
  return neg
    ? (rv, st) => {
        const r = ci ? rv.toLowerCase() : rv
        for (let i = 0; i < n; i++) if (equalsOne(i, r, st) !== NO) return false
        return true
      }
    : (rv, st) => {
        const r = ci ? rv.toLowerCase() : rv
        for (let i = 0; i < n; i++) if (equalsOne(i, r, st) === MATCH) return true
        return false
      }
}

function compare(c: Comparison, request: number, policy: number): boolean {
  switch (c) {
    case 'lt':
      return request < policy
    case 'le':
      return request <= policy
    case 'gt':
      return request > policy
    case 'ge':
      return request >= policy
    case 'eq':
    case 'eqi':
    case 'in':
    case 'like':
    case 'null':
      return request === policy
  }
}

/**
 * A test over policy values parsed at compile time (`undefined`: unreadable) and a
 * request value parsed per call (`undefined`: unreadable, so the test is false).
 */
function parsedTest<R, P>(
  negated: boolean,
  policy: readonly (P | undefined)[],
  parse: (s: string) => R | undefined,
  matches: (request: R, policy: P) => boolean,
): ValueTest {
  const n = policy.length
  return negated
    ? (rv) => {
        const x = parse(rv)
        if (x === undefined) return false
        for (let i = 0; i < n; i++) {
          const p = policy[i]
          if (p === undefined || matches(x, p)) return false
        }
        return true
      }
    : (rv) => {
        const x = parse(rv)
        if (x === undefined) return false
        for (let i = 0; i < n; i++) {
          const p = policy[i]
          if (p !== undefined && matches(x, p)) return true
        }
        return false
      }
}

/** NaN (an unreadable number or date) becomes undefined, the other tests' "unreadable". */
function readable(parse: (s: string) => number): (s: string) => number | undefined {
  return (s) => {
    const x = parse(s)
    return Number.isNaN(x) ? undefined : x
  }
}

function orderedTest(
  spec: OperatorSpec,
  values: readonly string[],
  parse: (s: string) => number,
): ValueTest {
  const cmp = spec.comparison
  const read = readable(parse)
  return parsedTest(spec.negated, values.map(read), read, (x, p) => compare(cmp, x, p))
}

function arnTest(neg: boolean, values: readonly string[], vars: boolean): ValueTest {
  // A condition value that is not a six-part ARN never matches.
  const policy: (ArnPattern | undefined)[] = values.map((v) => {
    const p = compileArnPattern(v, vars ? 'all' : 'none', false)
    return p.whole === undefined ? p : undefined
  })
  const n = policy.length
  const one = (i: number, rv: string, colons: readonly number[], st: EvalState): number => {
    const p = policy[i]
    if (p === undefined) return FAIL
    const m = arnPatternMatches(p, rv, colons, st.resolve)
    return m === undefined ? FAIL : m ? MATCH : NO
  }
  return neg
    ? (rv, st) => {
        const colons = arnColons(rv)
        if (colons === undefined) return false
        for (let i = 0; i < n; i++) if (one(i, rv, colons, st) !== NO) return false
        return true
      }
    : (rv, st) => {
        const colons = arnColons(rv)
        if (colons === undefined) return false
        for (let i = 0; i < n; i++) if (one(i, rv, colons, st) === MATCH) return true
        return false
      }
}

/** Evaluates one condition (operator + key) against the request. */
export function conditionHolds(c: CompiledCondition, st: EvalState): boolean {
  const e = lookup(st, c.key, c.lower)
  const spec = c.spec
  if (e === undefined) noteMissing(st, c.key, c.lower)
  if (spec.family === 'null') {
    // "Null": "true" holds when the key is absent, "false" when it is present.
    const absent = e === undefined
    for (const v of c.values) {
      const b = parseBool(v)
      if (b !== undefined && b === absent) return true
    }
    return false
  }
  if (e === undefined) {
    if (spec.set === 'all') return true
    if (spec.set === 'any') return false
    return spec.ifExists || spec.negated
  }
  const values = e.values
  switch (spec.set) {
    case 'none': {
      const v = values[0]
      if (isMultivalued(e) || v === undefined) return false
      return c.test(v, st)
    }
    case 'any':
      for (const v of values) if (c.test(v, st)) return true
      return false
    case 'all':
      for (const v of values) if (!c.test(v, st)) return false
      return true
  }
}

/** For explanations: the policy values with variables substituted where they resolve. */
export function expectedValues(c: CompiledCondition, st: EvalState): readonly string[] {
  if (c.templates === undefined) return c.values
  return c.templates.map((t) => describeTemplate(t, st.peek))
}
