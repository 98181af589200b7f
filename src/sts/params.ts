import { awsError, QueryValidation, STS_ERRORS, type QueryParams } from '../aws/index.js'

/** `[\w+=,.@-]*`: RoleSessionName and SourceIdentity, as STS's model has it. */
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]*$/
const SESSION_NAME_TEXT = '[\\w+=,.@-]*'
const POLICY_CHARS = /^[\t\n\r\u0020-\u00FF]+$/
const POLICY_CHARS_TEXT = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'
/** STS's limit on the session policy and managed policy ARNs together (plain text). */
export const MAX_SESSION_POLICY_CHARS = 2048
/** STS's default session length. */
export const DEFAULT_DURATION_SECONDS = 3600

/** The parameters every assume call shares, validated. */
export interface AssumeParams {
  readonly roleArn: string
  readonly roleSessionName: string
  readonly policy: string | undefined
  readonly policyArns: readonly string[]
  /** As asked, or undefined for the default. */
  readonly durationSeconds: number | undefined
}

/** AssumeRoleWithWebIdentity's parameters, validated; the token without the white space around it. */
export interface WebIdentityParams extends AssumeParams {
  readonly token: string
  readonly providerId: string | undefined
}

function common(v: QueryValidation, params: QueryParams): AssumeParams {
  const roleArn = v.string('RoleArn', { required: true, min: 20, max: 2048 })
  const roleSessionName = v.string('RoleSessionName', {
    required: true,
    min: 2,
    max: 64,
    pattern: SESSION_NAME_PATTERN,
    patternText: SESSION_NAME_TEXT,
  })
  const policy = v.string('Policy', {
    min: 1,
    max: MAX_SESSION_POLICY_CHARS,
    pattern: POLICY_CHARS,
    patternText: POLICY_CHARS_TEXT,
  })
  const members = params.structs('PolicyArns') ?? []
  if (members.length > 10)
    v.fail(
      'policyArns',
      `[${members.length} ARNs]`,
      'Member must have length less than or equal to 10',
    )
  const policyArns: string[] = []
  members.forEach((m, i) => {
    const arn = m.string('arn')
    const where = `policyArns.${i + 1}.member.arn`
    if (arn === undefined) v.fail(where, undefined, 'Member must not be null')
    else {
      if (arn.length < 20) v.fail(where, arn, 'Member must have length greater than or equal to 20')
      if (arn.length > 2048)
        v.fail(where, arn, 'Member must have length less than or equal to 2048')
      policyArns.push(arn)
    }
  })
  const durationSeconds = v.int('DurationSeconds', { min: 900, max: 43200 })
  return { roleArn, roleSessionName, policy, policyArns, durationSeconds }
}

const isAsciiSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r'

/** `text` without the ASCII white space around it (a token file's trailing newline). */
function trimAsciiSpace(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isAsciiSpace(text[start])) start++
  while (end > start && isAsciiSpace(text[end - 1])) end--
  return text.slice(start, end)
}

/**
 * Reads and checks AssumeRoleWithWebIdentity's parameters against STS's model (the SDKs
 * check little): every violation in one ValidationError, the token never echoed. The
 * token's 4–20000 characters are checked as sent; then the ASCII white space around it
 * (the token file's trailing newline) is dropped. Other characters (NBSP, U+3000, a BOM)
 * stay, and the token does not parse.
 */
export function webIdentityParams(params: QueryParams): WebIdentityParams {
  const v = new QueryValidation(params, STS_ERRORS.ValidationError)
  const base = common(v, params)
  const sent = v.string('WebIdentityToken', { required: true, min: 4, max: 20000, sensitive: true })
  const token = trimAsciiSpace(sent)
  const providerId = v.string('ProviderId', { min: 4, max: 2048 })
  v.check()
  return { ...base, token, providerId }
}

/** AssumeRole's parameters (its own ExternalId, SerialNumber and tags are not supported). */
export function assumeRoleParams(params: QueryParams): AssumeParams & {
  readonly sourceIdentity: string | undefined
} {
  const v = new QueryValidation(params, STS_ERRORS.ValidationError)
  const base = common(v, params)
  const sourceIdentity = v.string('SourceIdentity', {
    min: 2,
    max: 64,
    pattern: SESSION_NAME_PATTERN,
    patternText: SESSION_NAME_TEXT,
  })
  v.check()
  return { ...base, sourceIdentity }
}

/** A role ARN's parts: `arn:aws:iam::ACCOUNT:role/PATH/NAME`. */
interface RoleArnParts {
  readonly accountId: string
  readonly name: string
  readonly path: string
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/

/** The parts of a role ARN, or ValidationError "Request ARN is invalid". */
export function parseRoleArn(arn: string): RoleArnParts {
  const m = ROLE_ARN.exec(arn)
  if (m === null)
    throw awsError(STS_ERRORS.ValidationError, {
      variant: 'invalidArn',
      reason: 'RoleArn is not arn:aws:iam::ACCOUNT:role/[PATH/]NAME',
    })
  return { accountId: m[1] ?? '', path: m[2] ?? '/', name: m[3] ?? '' }
}
