export { PolicyValidationError } from './errors.js'
export { validatePolicy, parsePolicy } from './parse.js'
export { compilePolicy, compileParsed } from './compile.js'
export type { CompiledPolicy, CompiledStatement } from './compile.js'
export { evaluate, explain } from './evaluate.js'
export { formatExplanation, describeReason, describeStatement } from './format.js'
export { matchWildcard } from './wildcard.js'
export { matchArn } from './arn.js'
export { parseContextEntry, CONTEXT_KEY_TYPES } from './context.js'
export { BASE_OPERATORS } from './operators.js'
export type {
  PolicyKind,
  SourcePolicyType,
  ContextKeyType,
  ContextEntry,
  RequestContext,
  RequestPrincipal,
  EvalRequest,
  StatementRef,
  Decision,
  EvalResult,
  LayerTrace,
  Explanation,
  PolicySet,
  ParsedPolicy,
} from './types.js'
export { parseJson, LineIndex, JsonSyntaxError } from './json.js'
export type { JsonValue, JsonObject } from './json.js'
export type {
  Position,
  PolicyIssue,
  ParsedStatement,
  ParsedCondition,
  PrincipalBlock,
} from './types.js'
