/**
 * Compiles a parsed policy once into matchers: lower-cased action patterns, ARN patterns
 * split into segments, principal sets, and condition evaluators with their values already
 * parsed (numbers, dates, CIDRs, base64) and their policy variables already located.
 * Evaluation never looks at the policy text again.
 */
import { compileArnPattern, type ArnPattern } from './arn.js'
import { compileCondition, type CompiledCondition } from './condition.js'
import { parsePolicy } from './parse.js'
import { compilePrincipal, type CompiledPrincipal } from './principal.js'
import type {
  ParsedPolicy,
  PolicyKind,
  PolicyVersion,
  SourcePolicyType,
  StatementRef,
  ValidateOptions,
} from './types.js'
import { compileGlob, type Glob } from './wildcard.js'

/** One compiled statement. */
export interface CompiledStatement {
  readonly ref: StatementRef
  readonly effect: 'Allow' | 'Deny'
  /** Action patterns, lower-cased (actions are case-insensitive). */
  readonly actions: readonly Glob[]
  readonly actionValues: readonly string[]
  /** The statement uses NotAction. */
  readonly notAction: boolean
  /** Undefined when the statement has neither Resource nor NotResource (trust policies). */
  readonly resources: readonly ArnPattern[] | undefined
  readonly resourceValues: readonly string[]
  readonly notResource: boolean
  readonly principal: CompiledPrincipal | undefined
  readonly notPrincipal: boolean
  readonly conditions: readonly CompiledCondition[]
}

/** A policy ready for {@link evaluate}; build it once per policy version. */
export interface CompiledPolicy {
  readonly id: string
  readonly type: SourcePolicyType
  readonly kind: PolicyKind
  readonly version?: PolicyVersion
  readonly statements: readonly CompiledStatement[]
}

/** Where a compiled policy came from, for the explanation's StatementRefs. */
interface PolicySource {
  readonly id: string
  readonly type: SourcePolicyType
}

/** Compiles an already parsed (and so validated) policy. */
export function compileParsed(parsed: ParsedPolicy, source: PolicySource): CompiledPolicy {
  // Policy variables exist only in the 2012-10-17 language (reference_policies_variables.html).
  const variables = parsed.version === '2012-10-17'
  const statements = parsed.statements.map((s): CompiledStatement => {
    const ref: StatementRef = {
      policyId: source.id,
      policyType: source.type,
      index: s.index,
      start: s.start,
      end: s.end,
      ...(s.sid === undefined || s.sid === '' ? {} : { sid: s.sid }),
    }
    const actionValues = s.action ?? s.notAction ?? []
    const resourceValues = s.resource ?? s.notResource
    const principalBlock = s.principal ?? s.notPrincipal
    return {
      ref,
      effect: s.effect,
      actions: actionValues.map((a) => compileGlob(a.toLowerCase())),
      actionValues,
      notAction: s.action === undefined && s.notAction !== undefined,
      resources: resourceValues?.map((r) =>
        compileArnPattern(r, variables ? 'resource' : 'none', true),
      ),
      resourceValues: resourceValues ?? [],
      notResource: s.resource === undefined && s.notResource !== undefined,
      principal: principalBlock === undefined ? undefined : compilePrincipal(principalBlock),
      notPrincipal: s.principal === undefined && s.notPrincipal !== undefined,
      conditions: s.conditions.map((c) => compileCondition(c, variables)),
    }
  })
  return {
    id: source.id,
    type: source.type,
    kind: parsed.kind,
    statements,
    ...(parsed.version === undefined ? {} : { version: parsed.version }),
  }
}

/**
 * Parses, validates and compiles a policy document. Throws {@link PolicyValidationError}
 * (IAM's MalformedPolicyDocument message) when IAM would reject it.
 */
export function compilePolicy(
  text: string,
  kind: PolicyKind,
  source: PolicySource,
  options: ValidateOptions = {},
): CompiledPolicy {
  return compileParsed(parsePolicy(text, kind, options), source)
}
