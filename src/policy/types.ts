/**
 * The public contract of the IAM policy engine (docs/policy.md). Pure data types; the
 * functions that use them are in parse.ts (validatePolicy, parsePolicy), compile.ts
 * (compilePolicy), evaluate.ts (evaluate, explain, over the shared core in engine.ts) and
 * format.ts (formatExplanation).
 */

/** Which rules a document is validated under. */
export type PolicyKind = 'identity' | 'trust' | 'resource' | 'session' | 'boundary'

/** The IAM simulator's SourcePolicyType. */
export type SourcePolicyType =
  'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none'

/** The IAM simulator's context key types (ContextKeyTypeEnum). */
export type ContextKeyType =
  | 'string'
  | 'stringList'
  | 'numeric'
  | 'numericList'
  | 'boolean'
  | 'booleanList'
  | 'ip'
  | 'ipList'
  | 'binary'
  | 'binaryList'
  | 'date'
  | 'dateList'

/** One context key's value(s) in a request; single-valued types carry exactly one value. */
export interface ContextEntry {
  readonly type: ContextKeyType
  readonly values: readonly string[]
}

/** Request context; keys are matched case-insensitively. */
export type RequestContext = Readonly<Record<string, ContextEntry>>

/** Who is calling, for Principal/NotPrincipal matching in trust and resource policies. */
export interface RequestPrincipal {
  /** `AWS` for IAM principals (role/user/assumed-role/account), `Federated`, `Service`. */
  readonly type: 'AWS' | 'Federated' | 'Service' | 'CanonicalUser'
  /** The principal's ARN (AWS), provider ARN or name (Federated), service name (Service). */
  readonly id: string
  /** For AWS principals: the 12-digit account, so `"AWS": "ACCOUNT"`/`:root` matches. */
  readonly account?: string
}

export interface EvalRequest {
  /** `service:Action`, matched case-insensitively. */
  readonly action: string
  /** The resource ARN, or `*`. */
  readonly resource: string
  readonly principal?: RequestPrincipal
  readonly context: RequestContext
}

/** A 1-based line/column in the policy text, as the IAM simulator's Position. */
export interface Position {
  readonly line: number
  readonly column: number
}

/** A statement that decided (or was considered for) a request. */
export interface StatementRef {
  /** The id the caller gave the policy (SourcePolicyId). */
  readonly policyId: string
  readonly policyType: SourcePolicyType
  /** The statement's 0-based index in the document's Statement list. */
  readonly index: number
  readonly sid?: string
  readonly start: Position
  readonly end: Position
}

/** Why a statement did not apply: the first element that failed. */
export type MismatchReason =
  | {
      readonly element: 'action'
      readonly action: string
      /** The statement's Action (or NotAction, when `negated`) values. */
      readonly patterns?: readonly string[]
      readonly negated?: boolean
    }
  | {
      readonly element: 'resource'
      readonly resource: string
      /** The statement's Resource (or NotResource, when `negated`) values. */
      readonly patterns?: readonly string[]
      readonly negated?: boolean
    }
  | {
      readonly element: 'principal'
      /** The request's principal, or `anonymous` when the request carried none. */
      readonly principal: string
      /** The statement's Principal (or NotPrincipal, when `negated`), as `TYPE:value`. */
      readonly patterns?: readonly string[]
      readonly negated?: boolean
    }
  | {
      readonly element: 'condition'
      /** e.g. `StringEquals`, `ForAnyValue:StringLike`, `NumericLessThanIfExists`. */
      readonly operator: string
      /** The condition key as written in the policy. */
      readonly key: string
      /** The values the policy expected (after variable substitution). */
      readonly expected: readonly string[]
      /** The request's values, or undefined when the key is absent. */
      readonly actual: readonly string[] | undefined
    }

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny'

/** The result of {@link evaluate}: cheap to build, enough for STS and authorisation. */
export interface EvalResult {
  readonly decision: Decision
  /**
   * The statements that decided: the matching Deny statements for explicitDeny, the
   * matching Allow statements for allowed, none for implicitDeny.
   */
  readonly matched: readonly StatementRef[]
  /** Context keys that conditions referred to but the request did not carry (sorted). */
  readonly missingContextKeys: readonly string[]
}

/** One statement's verdict in an explanation. */
export interface StatementTrace {
  readonly statement: StatementRef
  readonly effect: 'Allow' | 'Deny'
  readonly matched: boolean
  /** Set when `matched` is false. */
  readonly reason?: MismatchReason
}

/** One policy layer's part in an explanation. */
export interface LayerTrace {
  readonly layer: 'identity' | 'boundary' | 'session' | 'resource'
  /** What this layer alone says. */
  readonly decision: Decision
  readonly statements: readonly StatementTrace[]
}

/** The result of {@link explain}: the decision, and why, for people (text) and tools (JSON). */
export interface Explanation extends EvalResult {
  /** What was asked: the request's action, resource and principal. */
  readonly request: {
    readonly action: string
    readonly resource: string
    readonly principal?: RequestPrincipal
  }
  readonly layers: readonly LayerTrace[]
}

/**
 * The policies that apply to one request. Identity mode (any layer but `resource` given):
 * allowed when identity allows, and the boundary (if given) allows, and the session
 * policies (if given) allow, and nothing denies. Trust mode (`resource` given, the
 * assume-role calls): allowed when the resource/trust policy allows the principal and
 * nothing denies; identity layers, when also given, must allow too. A principal that the
 * resource policy matches only at account level (`"AWS": "ACCOUNT"` or `...:root`) is
 * delegated to the account: identity layers must then be given and allow.
 *
 * Evaluation reads a set's four fields on every call, so build sets in few shapes: a
 * literal that starts with a layer (`{ identity, ...(b ? { boundary: b } : {}) }`), or
 * assignments in a fixed order. A literal that starts with a spread gets a V8 hidden class
 * of its own per object, and thousands of those make the reads megamorphic and slow.
 */
export interface PolicySet<P> {
  readonly identity?: readonly P[]
  readonly boundary?: readonly P[]
  readonly session?: readonly P[]
  readonly resource?: P
}

/** A validation finding, with IAM's MalformedPolicyDocument message. */
export interface PolicyIssue {
  /** IAM's message, e.g. `Policy document should not specify a principal.` */
  readonly message: string
  /** Where: a JSON-pointer-like path (`/Statement/0/Principal`), and position when known. */
  readonly path: string
  readonly position?: Position
}

/** Options for {@link validatePolicy} and {@link parsePolicy}. */
export interface ValidateOptions {
  /**
   * A managed policy (CreatePolicy, CreatePolicyVersion): IAM requires `"Version":
   * "2012-10-17"` there, and rejects others with `Policy document must be version
   * 2012-10-17 or greater.`
   */
  readonly managed?: boolean
}

/** The policy language versions IAM accepts. */
export type PolicyVersion = '2012-10-17' | '2008-10-17'

/** The principal types of a Principal/NotPrincipal object. */
export type PrincipalType = 'AWS' | 'Federated' | 'Service' | 'CanonicalUser'

/** A Principal or NotPrincipal element: `*`, or the values by principal type. */
export type PrincipalBlock = '*' | Readonly<Partial<Record<PrincipalType, readonly string[]>>>

/** One condition: an operator, a key and the policy's values (as strings). */
export interface ParsedCondition {
  /** The operator as written, e.g. `ForAnyValue:StringLike`. */
  readonly operator: string
  /** The condition key as written. */
  readonly key: string
  /** The values; JSON numbers and booleans become their JSON text. */
  readonly values: readonly string[]
  /** Where the key is in the policy text. */
  readonly position: Position
}

/** One statement of a parsed policy, normalised (single values become lists). */
export interface ParsedStatement {
  /** 0-based index in the document's Statement list. */
  readonly index: number
  readonly sid?: string
  readonly effect: 'Allow' | 'Deny'
  readonly principal?: PrincipalBlock
  readonly notPrincipal?: PrincipalBlock
  readonly action?: readonly string[]
  readonly notAction?: readonly string[]
  readonly resource?: readonly string[]
  readonly notResource?: readonly string[]
  readonly conditions: readonly ParsedCondition[]
  /** The statement's `{`. */
  readonly start: Position
  /** The statement's `}`. */
  readonly end: Position
}

/** A policy document that passed validation for its kind. */
export interface ParsedPolicy {
  readonly kind: PolicyKind
  /** Absent means the 2008 language: policy variables are literal text. */
  readonly version?: PolicyVersion
  readonly id?: string
  readonly statements: readonly ParsedStatement[]
}
