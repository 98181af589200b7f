/**
 * The public contract of the IAM policy engine (DESIGN §3.3). Pure data types; the
 * functions that use them are in parse.ts, compile.ts, evaluate.ts and explain.ts.
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
  | { readonly element: 'action'; readonly action: string }
  | { readonly element: 'resource'; readonly resource: string }
  | { readonly element: 'principal'; readonly principal: string }
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
  readonly layers: readonly LayerTrace[]
}

/**
 * The policies that apply to one request. Identity mode (any layer but `resource` given):
 * allowed when identity allows, and the boundary (if given) allows, and the session
 * policies (if given) allow, and nothing denies. Trust mode (`resource` given, the
 * assume-role calls): allowed when the resource/trust policy allows the principal and
 * nothing denies; identity layers, when also given, must allow too.
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
