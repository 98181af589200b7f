export { PolicyValidationError } from './errors.js'
export { validatePolicy, parsePolicy } from './parse.js'
export { compilePolicy, compileParsed } from './compile.js'
export type { CompiledPolicy, CompiledStatement, PolicySource } from './compile.js'
export { evaluate, explain } from './evaluate.js'
export { formatExplanation, describeReason, describeStatement } from './format.js'
export { matchWildcard } from './wildcard.js'
export { matchArn } from './arn.js'
export { parseContextEntry, CONTEXT_KEY_TYPES } from './context.js'
export { BASE_OPERATORS } from './operators.js'
export { MSG as IAM_POLICY_MESSAGES, TRUST_MSG as IAM_TRUST_POLICY_MESSAGES } from './messages.js'
export type {
  PolicyKind,
  SourcePolicyType,
  ContextKeyType,
  ContextEntry,
  RequestContext,
  RequestPrincipal,
  EvalRequest,
  Position,
  StatementRef,
  MismatchReason,
  Decision,
  EvalResult,
  StatementTrace,
  LayerTrace,
  Explanation,
  PolicySet,
  PolicyIssue,
  ValidateOptions,
  PolicyVersion,
  PrincipalType,
  PrincipalBlock,
  ParsedCondition,
  ParsedStatement,
  ParsedPolicy,
} from './types.js'
