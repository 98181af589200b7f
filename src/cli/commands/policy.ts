import { InputError, readTextFile } from '../../core/index.js'
import {
  compileParsed,
  explain,
  formatExplanation,
  parseContextEntry,
  parsePolicy,
  PolicyValidationError,
  validatePolicy,
  type CompiledPolicy,
  type ContextEntry,
  type PolicyKind,
  type PolicySet,
  type RequestPrincipal,
  type SourcePolicyType,
} from '../../policy/index.js'
import { EXIT, type Command, type Io } from '../command.js'

/** Reads, validates and compiles one policy file; a malformed one is an InputError with IAM's message. */
function load(
  io: Io,
  file: string,
  flag: string,
  kind: PolicyKind,
  type: SourcePolicyType,
): CompiledPolicy {
  const text = readTextFile(file, flag, io.cwd)
  try {
    return compileParsed(parsePolicy(text, kind), { id: file, type })
  } catch (e) {
    if (!(e instanceof PolicyValidationError)) throw e
    const first = e.issues[0]
    const where =
      first?.position === undefined ? '' : `:${first.position.line}:${first.position.column}`
    throw new InputError(`${flag} ${file}${where}: MalformedPolicyDocument: ${e.message}`)
  }
}

const PRINCIPAL_TYPES = ['AWS', 'Federated', 'Service', 'CanonicalUser'] as const

function principalFrom(
  id: string | undefined,
  type: string | undefined,
): RequestPrincipal | undefined {
  if (id === undefined) {
    if (type !== undefined) throw new InputError('--principal-type needs --principal')
    return undefined
  }
  if (type !== undefined && !(PRINCIPAL_TYPES as readonly string[]).includes(type))
    throw new InputError(
      `--principal-type must be one of ${PRINCIPAL_TYPES.join(', ')}, got '${type}'`,
    )
  const t =
    (type as RequestPrincipal['type'] | undefined) ??
    (/:(oidc|saml)-provider\//.test(id) ? 'Federated' : 'AWS')
  if (t !== 'AWS') return { type: t, id }
  const account = /^\d{12}$/.test(id) ? id : id.split(':')[4]
  return account === undefined || account === '' ? { type: t, id } : { type: t, id, account }
}

const evalCommand: Command = {
  path: ['policy', 'eval'],
  summary: 'Decide a request against IAM policies and explain why (as the IAM policy simulator)',
  usage:
    'irsa policy eval --policy FILE [--policy FILE ...] [--trust-policy FILE] [--boundary FILE] ' +
    '[--session-policy FILE ...] --action ACTION --resource ARN [--principal ARN] ' +
    '[--principal-type TYPE] [--context KEY=TYPE:VALUE ...] [--output json|text]',
  description:
    "Evaluates the request with irsa's IAM policy engine: identity policies (--policy, managed\n" +
    'and inline alike) intersected with the permissions boundary and session policies when\n' +
    'given, and, with --trust-policy, the role trust policy (a resource policy: the principal\n' +
    'must be allowed there). An explicit Deny anywhere wins. The output names the decision\n' +
    '(allowed, explicitDeny or implicitDeny), the statements that decided it (file, index,\n' +
    'Sid, line:column), for every statement the first element that did not match, and the\n' +
    'context keys the conditions wanted but the request lacked.\n\n' +
    'Context values: KEY=TYPE:VALUE, TYPE one of string, stringList, numeric, numericList,\n' +
    'boolean, booleanList, ip, ipList, binary, binaryList, date, dateList; list values are\n' +
    'comma-separated. For an IRSA trust policy, pass the token claims as\n' +
    '  --context ISSUER:sub=string:system:serviceaccount:NS:NAME --context ISSUER:aud=string:sts.amazonaws.com\n\n' +
    'Exit status: 0 allowed, 1 denied, 2 error (unreadable file, malformed policy, bad flag).',
  options: {
    policy: {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: 'identity policy (repeatable)',
    },
    'trust-policy': {
      type: 'string',
      valueName: 'FILE',
      description:
        'role trust policy; the request is then an assume-role call and needs --principal',
    },
    boundary: {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: 'permissions boundary policy',
    },
    'session-policy': {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: 'session policy (repeatable)',
    },
    action: { type: 'string', valueName: 'ACTION', description: 'the action, e.g. s3:GetObject' },
    resource: { type: 'string', valueName: 'ARN', description: 'the resource ARN, or *' },
    principal: {
      type: 'string',
      valueName: 'ARN',
      description: 'the caller: a role, user, assumed-role or account ARN, or an OIDC provider ARN',
    },
    'principal-type': {
      type: 'string',
      valueName: 'TYPE',
      description:
        'AWS, Federated, Service or CanonicalUser (default: Federated for a provider ARN, else AWS)',
    },
    context: {
      type: 'string',
      multiple: true,
      valueName: 'KEY=TYPE:VALUE',
      description: 'a request context value (repeatable)',
    },
    output: { type: 'string', valueName: 'FORMAT', default: 'text', description: 'text or json' },
  },
  run: (args, io) => {
    const output = args.string('output') ?? 'text'
    if (output !== 'text' && output !== 'json')
      throw new InputError(`--output must be json or text, got '${output}'`)
    const action = args.requireString('action')
    const resource = args.requireString('resource')
    const principal = principalFrom(args.string('principal'), args.string('principal-type'))
    const context: Record<string, ContextEntry> = {}
    for (const spec of args.strings('context')) {
      const { key, entry } = parseContextEntry(spec)
      context[key] = entry
    }
    const policies = args.strings('policy')
    const boundaries = args.strings('boundary')
    const sessions = args.strings('session-policy')
    const trustFile = args.string('trust-policy')
    if (policies.length + boundaries.length + sessions.length === 0 && trustFile === undefined)
      throw new InputError(
        'give at least one of --policy, --trust-policy, --boundary, --session-policy',
      )
    if (trustFile !== undefined && principal === undefined)
      throw new InputError('--trust-policy needs --principal (who is assuming the role)')
    const set: {
      identity?: CompiledPolicy[]
      boundary?: CompiledPolicy[]
      session?: CompiledPolicy[]
      resource?: CompiledPolicy
    } = {}
    if (policies.length > 0)
      set.identity = policies.map((f) => load(io, f, '--policy', 'identity', 'user-managed'))
    if (boundaries.length > 0)
      set.boundary = boundaries.map((f) => load(io, f, '--boundary', 'boundary', 'user-managed'))
    if (sessions.length > 0)
      set.session = sessions.map((f) => load(io, f, '--session-policy', 'session', 'none'))
    if (trustFile !== undefined)
      set.resource = load(io, trustFile, '--trust-policy', 'trust', 'resource')
    const x = explain(
      { action, resource, context, ...(principal === undefined ? {} : { principal }) },
      set satisfies PolicySet<CompiledPolicy>,
    )
    io.stdout(output === 'json' ? `${JSON.stringify(x, null, 2)}\n` : formatExplanation(x))
    return Promise.resolve(x.decision === 'allowed' ? EXIT.ok : EXIT.negative)
  },
}

const KINDS = ['identity', 'trust', 'session', 'boundary', 'resource'] as const

const validateCommand: Command = {
  path: ['policy', 'validate'],
  summary: "Check a policy document as IAM would, with IAM's MalformedPolicyDocument messages",
  usage: 'irsa policy validate FILE [--type identity|trust|session|boundary|resource]',
  description:
    "Prints 'valid', or every problem as FILE:LINE:COLUMN: message, the one IAM would report\n" +
    'first. --type picks the rules: identity (the default; permission policies), trust (role\n' +
    'trust policies: Principal required, no Resource), session, boundary, or resource\n' +
    '(resource-based policies: Principal required).\n\n' +
    'Exit status: 0 valid, 1 invalid, 2 error.',
  positionals: { min: 1, max: 1 },
  options: {
    type: { type: 'string', valueName: 'KIND', default: 'identity', description: KINDS.join(', ') },
  },
  run: (args, io) => {
    const file = args.requirePositional(0, 'FILE')
    const kind = args.string('type') ?? 'identity'
    if (!(KINDS as readonly string[]).includes(kind))
      throw new InputError(`--type must be one of ${KINDS.join(', ')}, got '${kind}'`)
    const text = readTextFile(file, 'policy', io.cwd)
    const issues = validatePolicy(text, kind as PolicyKind)
    if (issues.length === 0) {
      io.stdout('valid\n')
      return Promise.resolve(EXIT.ok)
    }
    for (const i of issues) {
      const where = i.position === undefined ? '' : `:${i.position.line}:${i.position.column}`
      io.stdout(`${file}${where}: ${i.message}\n`)
    }
    return Promise.resolve(EXIT.negative)
  },
}

/** The `irsa policy ...` commands. */
export const policyCommands: readonly Command[] = [evalCommand, validateCommand]
