import { decodeToken, type DecodedToken } from '../token/index.js'
import type { JsonObject } from '../webhook/index.js'
import type { CheckResult, CheckStatus, DoctorFacts, ProviderFact } from './facts.js'

/** The annotation that names the role, and the one that names the token audience. */
export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn'
export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience'
/** The audience IRSA tokens carry by default. */
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com'

const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/

/** A role ARN's parts, or undefined when it is not one. */
export function parseRoleArn(
  arn: string,
): { readonly partition: string; readonly account: string; readonly name: string } | undefined {
  const [, partition, account, name] = ROLE_ARN.exec(arn) ?? []
  return partition === undefined || account === undefined || name === undefined
    ? undefined
    : { partition, account, name }
}

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(o: unknown): o is JsonObject {
  return o !== null && typeof o === 'object' && !Array.isArray(o)
}

/** A JSON object member, when it is an object. */
export function objectAt(o: unknown, key: string): JsonObject | undefined {
  if (!isObject(o)) return undefined
  const v = o[key]
  return v !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined
}

/** A JSON object member, when it is an array of objects. */
export function objectsAt(o: unknown, key: string): JsonObject[] {
  if (!isObject(o)) return []
  const v = o[key]
  return Array.isArray(v)
    ? v.filter((x): x is JsonObject => x !== null && typeof x === 'object' && !Array.isArray(x))
    : []
}

/** A JSON object member, when it is a string. */
export function stringAt(o: unknown, key: string): string | undefined {
  if (!isObject(o)) return undefined
  const v = o[key]
  return typeof v === 'string' ? v : undefined
}

/** An annotation of an object. */
export function annotation(o: JsonObject | undefined, key: string): string | undefined {
  return stringAt(objectAt(objectAt(o, 'metadata'), 'annotations'), key)
}

/** What the checks share, computed once from the facts. */
export interface Derived {
  readonly sa: JsonObject | undefined
  readonly pod: JsonObject | undefined
  readonly namespace: string | undefined
  readonly saName: string | undefined
  /** The role doctor checks: `--role-arn`, else the ServiceAccount's annotation. */
  readonly roleArn: string | undefined
  readonly role: ReturnType<typeof parseRoleArn>
  readonly decoded: DecodedToken | undefined
  /** The token's claims, or those replayed from a recorded decision. */
  readonly claims: Readonly<Record<string, unknown>> | undefined
  readonly tokenError: string | undefined
  readonly iss: string | undefined
  readonly sub: string | undefined
  readonly aud: readonly string[]
  readonly exp: number | undefined
  /** The provider URL of the token's issuer: `iss` without `https://`. */
  readonly providerUrl: string | undefined
  /** The audience the token should have: the SA's annotation, else sts.amazonaws.com. */
  readonly expectedAudience: string
  /** The ARN STS names the provider by in the role's account. */
  readonly expectedProviderArn: string | undefined
  /** The provider whose URL equals the token's, in the role's account. */
  readonly provider: ProviderFact | undefined
}

function audiences(v: unknown): string[] {
  if (typeof v === 'string') return [v]
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

function decode(facts: DoctorFacts): { decoded?: DecodedToken; error?: string } {
  if (facts.token?.state !== 'found') return {}
  try {
    return { decoded: decodeToken(facts.token.value.text.trim()) }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) }
  }
}

/** Computes what the checks share. */
export function derive(facts: DoctorFacts): Derived {
  const sa = facts.serviceAccount?.state === 'found' ? facts.serviceAccount.value : undefined
  const pod = facts.pod?.state === 'found' ? facts.pod.value : undefined
  const roleArn = facts.roleArn ?? annotation(sa, ROLE_ARN_ANNOTATION)
  const role = roleArn === undefined ? undefined : parseRoleArn(roleArn)
  const { decoded, error } = decode(facts)
  const replay = facts.replayClaims
  const payload: Readonly<Record<string, unknown>> =
    decoded?.payload ??
    (replay !== undefined ? { ...replay, exp: Math.floor(facts.nowMs / 1000) + 3600 } : {})
  const iss = typeof payload['iss'] === 'string' ? payload['iss'] : undefined
  const providerUrl = iss?.startsWith('https://') === true ? iss.slice(8) : undefined
  const expectedProviderArn =
    role !== undefined && providerUrl !== undefined
      ? `arn:${role.partition}:iam::${role.account}:oidc-provider/${providerUrl}`
      : undefined
  const provider = facts.providerDetails?.find((p) => p.arn === expectedProviderArn)
  const aud = audiences(payload['aud']).filter((a) => a !== '')
  return {
    sa,
    pod,
    namespace: facts.namespace,
    saName: facts.serviceAccountName,
    roleArn,
    role,
    decoded,
    claims: decoded !== undefined || replay !== undefined ? payload : undefined,
    tokenError: error,
    iss,
    sub: typeof payload['sub'] === 'string' ? payload['sub'] : undefined,
    // A replayed decision does not hold the audience: STS matched one of the client IDs.
    aud: aud.length > 0 || replay === undefined ? aud : (provider?.clientIds.slice(0, 1) ?? []),
    exp: typeof payload['exp'] === 'number' ? payload['exp'] : undefined,
    providerUrl,
    expectedAudience: annotation(sa, AUDIENCE_ANNOTATION) ?? DEFAULT_AUDIENCE,
    expectedProviderArn,
    provider,
  }
}

/** A result builder for one check. */
export function result(
  name: string,
  status: CheckStatus,
  summary: string,
  evidence: Readonly<Record<string, unknown>> = {},
  fix: string | null = null,
): CheckResult {
  return { name, status, summary, evidence, fix }
}

/** A value quoted for POSIX shells. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
