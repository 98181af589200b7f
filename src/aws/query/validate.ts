import { awsError } from '../errors/aws-error.js'
import { COMMON_ERRORS } from '../errors/common.js'
import type { AwsErrorEntry } from '../errors/entry.js'
import { AwsError } from '../errors/aws-error.js'
import type { QueryParams } from './params.js'

/** Constraints of a string parameter, as AWS's models state them. */
export interface StringRule {
  readonly required?: boolean
  /** Minimum and maximum length in UTF-16 code units (as AWS counts). */
  readonly min?: number
  readonly max?: number
  /** Must match the whole value; give the model's pattern text for the message. */
  readonly pattern?: RegExp
  readonly patternText?: string
  /** Never echo the value (tokens, secrets): the message says "Value at 'x'". */
  readonly sensitive?: boolean
  /** The member name in messages; defaults to the parameter name with a lower-case initial. */
  readonly member?: string
}

/** Constraints of an integer parameter. */
interface IntRule {
  readonly required?: boolean
  readonly min?: number
  readonly max?: number
  readonly member?: string
}

/** Constraints of a list parameter (`X.member.N`). */
export interface ListRule {
  readonly required?: boolean
  /** Minimum and maximum number of members. */
  readonly min?: number
  readonly max?: number
  readonly member?: string
}

/** `RoleSessionName` → `roleSessionName`, AWS's member naming in validation messages. */
function memberName(param: string): string {
  return param.charAt(0).toLowerCase() + param.slice(1)
}

function quote(value: string | undefined, sensitive: boolean): string {
  if (value === undefined) return 'Value null'
  return sensitive ? 'Value' : `Value '${value}'`
}

/**
 * Reads and checks a request's parameters against their model constraints, collecting
 * every violation and then failing once with AWS's wording:
 *
 * > 2 validation errors detected: Value 'bad name!' at 'roleSessionName' failed to
 * > satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*;
 * > Value null at 'roleArn' failed to satisfy constraint: Member must not be null
 *
 * Values read before {@link check} passes are placeholders (an absent required string
 * reads as ''); call `check()` before acting on them.
 */
export class QueryValidation {
  readonly #params: QueryParams
  readonly #entry: AwsErrorEntry
  readonly #problems: string[] = []
  readonly #memberPrefix: string

  constructor(
    params: QueryParams,
    entry: AwsErrorEntry = COMMON_ERRORS.ValidationError,
    memberPrefix = '',
  ) {
    this.#params = params
    this.#entry = entry
    this.#memberPrefix = memberPrefix
  }

  /** The violations so far, one AWS-worded clause each. */
  get problems(): readonly string[] {
    return this.#problems
  }

  #member(name: string, rule: { readonly member?: string | undefined }): string {
    return this.#memberPrefix + (rule.member ?? memberName(name))
  }

  /** Records one violation of `constraint` by the member's value. */
  fail(member: string, value: string | undefined, constraint: string, sensitive = false): void {
    this.#problems.push(
      `${quote(value, sensitive)} at '${member}' failed to satisfy constraint: ${constraint}`,
    )
  }

  /** A string parameter; '' when absent and required. */
  string(name: string, rule: StringRule & { readonly required: true }): string
  string(name: string, rule?: StringRule): string | undefined
  string(name: string, rule: StringRule = {}): string | undefined {
    const v = this.#params.string(name)
    const member = this.#member(name, rule)
    const sensitive = rule.sensitive === true
    if (v === undefined) {
      if (rule.required === true) {
        this.fail(member, undefined, 'Member must not be null')
        return ''
      }
      return undefined
    }
    if (rule.min !== undefined && v.length < rule.min)
      this.fail(
        member,
        v,
        `Member must have length greater than or equal to ${rule.min}`,
        sensitive,
      )
    if (rule.max !== undefined && v.length > rule.max)
      this.fail(member, v, `Member must have length less than or equal to ${rule.max}`, sensitive)
    if (rule.pattern !== undefined && !rule.pattern.test(v))
      this.fail(
        member,
        v,
        `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`,
        sensitive,
      )
    return v
  }

  /**
   * An integer parameter; 0 when absent and required. A value that is not an integer is
   * refused at once with `InvalidParameterValue` (a type error, not a constraint).
   */
  int(name: string, rule: IntRule & { readonly required: true }): number
  int(name: string, rule?: IntRule): number | undefined
  int(name: string, rule: IntRule = {}): number | undefined {
    const raw = this.#params.string(name)
    const member = this.#member(name, rule)
    if (raw === undefined) {
      if (rule.required === true) {
        this.fail(member, undefined, 'Member must not be null')
        return 0
      }
      return undefined
    }
    const n = /^[+-]?[0-9]{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
    if (!Number.isSafeInteger(n))
      throw awsError(COMMON_ERRORS.InvalidParameterValue, {
        variant: 'notInteger',
        params: { value: raw.length > 64 ? `${raw.slice(0, 64)}…` : raw, name },
      })
    if (rule.min !== undefined && n < rule.min)
      this.fail(member, raw, `Member must have value greater than or equal to ${rule.min}`)
    if (rule.max !== undefined && n > rule.max)
      this.fail(member, raw, `Member must have value less than or equal to ${rule.max}`)
    return n
  }

  /** A list of strings (`Name.member.N`); [] when absent and required. */
  list(name: string, rule: ListRule & { readonly required: true }): string[]
  list(name: string, rule?: ListRule): string[] | undefined
  list(name: string, rule: ListRule = {}): string[] | undefined {
    const v = this.#params.list(name)
    const member = this.#member(name, rule)
    if (v === undefined) {
      if (rule.required === true) {
        this.fail(member, undefined, 'Member must not be null')
        return []
      }
      return undefined
    }
    const shown = `[${v.join(', ')}]`
    if (rule.min !== undefined && v.length < rule.min)
      this.fail(member, shown, `Member must have length greater than or equal to ${rule.min}`)
    if (rule.max !== undefined && v.length > rule.max)
      this.fail(member, shown, `Member must have length less than or equal to ${rule.max}`)
    return v
  }

  /** The error for the violations so far, or undefined when there are none. */
  error(): AwsError | undefined {
    const n = this.#problems.length
    if (n === 0) return undefined
    const head = `${n} validation error${n === 1 ? '' : 's'} detected: `
    return new AwsError(this.#entry, head + this.#problems.join('; '))
  }

  /** Throws the collected violations as one ValidationError; returns when there are none. */
  check(): void {
    const e = this.error()
    if (e !== undefined) throw e
  }
}
