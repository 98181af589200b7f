import { awsError, S3_ERRORS } from '../../aws/index.js'
import { matchWildcard, parsePolicy, PolicyValidationError } from '../../policy/index.js'
import type { S3Acl, S3PolicyRules } from '../types.js'
import { S3_OPERATION_AUTH, type S3ResourceKind } from './operations.js'

/**
 * S3's `MalformedPolicy` messages for PutBucketPolicy, as S3 sends them (AWS does not list
 * them; these are the strings clients quote from S3: AWS CLI and Terraform reports, and
 * the S3-compatible servers that copy them).
 */
export const S3_POLICY_MESSAGES = {
  notObject: "Policies must be valid JSON and the first byte must be '{'",
  invalidJson: 'This policy contains invalid Json',
  version: 'The policy must contain a valid version string',
  unknownField: (field: string) => `Unknown field ${field}`,
  missing: (field: string) => `Missing required field ${field}`,
  invalidEffect: (effect: string) => `Invalid effect: ${effect}`,
  invalidPrincipal: 'Invalid principal in policy',
  invalidAction: 'Policy has invalid action',
  invalidResource: 'Policy has invalid resource',
  actionResource: 'Action does not apply to any resource(s) in statement',
  invalidCondition: 'Policy has an invalid condition key',
} as const

const TOP_FIELDS = new Set(['Version', 'Id', 'Statement'])
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
])
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'CanonicalUser', 'Federated'])
const AWS_PRINCIPAL =
  /^(\*|\d{12}|arn:aws:iam::(\d{12}|cloudfront):(root|(user|role)\/[\w+=,.@/ -]+)|arn:aws:sts::\d{12}:(assumed-role|federated-user)\/[\w+=,.@/-]+|[A-Z0-9]{21})$/
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/

type Json = unknown
type Obj = Readonly<Record<string, Json>>

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: Json): Json[] => (Array.isArray(v) ? (v as Json[]) : v === undefined ? [] : [v])

function malformed(message: string): never {
  throw awsError(S3_ERRORS.MalformedPolicy, { params: { detail: message } })
}

/** The resource an S3 action applies to, from the operation table (undefined when unknown). */
const ACTION_KINDS: ReadonlyMap<string, S3ResourceKind> = (() => {
  const m = new Map<string, S3ResourceKind>()
  for (const auth of Object.values(S3_OPERATION_AUTH))
    m.set(auth.action.toLowerCase(), auth.resource)
  return m
})()

function checkPrincipal(p: Json): void {
  if (p === '*') return
  if (!isObj(p) || Object.keys(p).length === 0) malformed(S3_POLICY_MESSAGES.invalidPrincipal)
  for (const [type, values] of Object.entries(p)) {
    if (!PRINCIPAL_TYPES.has(type)) malformed(S3_POLICY_MESSAGES.invalidPrincipal)
    for (const v of list(values)) {
      if (typeof v !== 'string') malformed(S3_POLICY_MESSAGES.invalidPrincipal)
      const ok =
        type === 'AWS'
          ? AWS_PRINCIPAL.test(v)
          : type === 'Service'
            ? SERVICE_PRINCIPAL.test(v) || v === '*'
            : type === 'CanonicalUser'
              ? /^[0-9a-f]{64}$/.test(v)
              : v.length > 0
      if (!ok) malformed(S3_POLICY_MESSAGES.invalidPrincipal)
    }
  }
}

/** An S3 action pattern: `*`, `s3:*`, or `s3:` and a name that may hold wildcards. */
function checkAction(a: Json, known: ReadonlySet<string> | undefined): void {
  if (a === '*') return
  if (typeof a !== 'string') malformed(S3_POLICY_MESSAGES.invalidAction)
  const m = /^s3:([A-Za-z*?]+)$/i.exec(a)
  if (m === null) malformed(S3_POLICY_MESSAGES.invalidAction)
  if (known === undefined) return
  const name = (m[1] ?? '').toLowerCase()
  const hit = [...known].some((k) => matchWildcard(name, k.toLowerCase(), false))
  if (!hit) malformed(S3_POLICY_MESSAGES.invalidAction)
}

/** A resource of this bucket: its ARN or an object ARN under it (wildcards in the key). */
function resourceKind(r: Json, bucket: string): 'bucket' | 'object' {
  if (typeof r !== 'string') malformed(S3_POLICY_MESSAGES.invalidResource)
  const arn = `arn:aws:s3:::${bucket}`
  if (r === arn) return 'bucket'
  if (r.startsWith(`${arn}/`)) return 'object'
  return malformed(S3_POLICY_MESSAGES.invalidResource)
}

/** Every named action must apply to one of the statement's resources. */
function checkActionsApply(actions: Json[], kinds: ReadonlySet<string>): void {
  for (const a of actions) {
    if (typeof a !== 'string' || /[*?]/.test(a)) continue
    const kind = ACTION_KINDS.get(a.toLowerCase())
    if (kind !== undefined && !kinds.has(kind)) malformed(S3_POLICY_MESSAGES.actionResource)
  }
}

function checkStatement(s: Json, bucket: string, known: ReadonlySet<string> | undefined): void {
  if (!isObj(s)) malformed(S3_POLICY_MESSAGES.invalidJson)
  for (const k of Object.keys(s))
    if (!STATEMENT_FIELDS.has(k)) malformed(S3_POLICY_MESSAGES.unknownField(k))
  const effect = s['Effect']
  if (effect === undefined) malformed(S3_POLICY_MESSAGES.missing('Effect'))
  if (effect !== 'Allow' && effect !== 'Deny')
    malformed(
      S3_POLICY_MESSAGES.invalidEffect(
        typeof effect === 'string' ? effect : JSON.stringify(effect),
      ),
    )
  const principal = s['Principal'] ?? s['NotPrincipal']
  if (principal === undefined) malformed(S3_POLICY_MESSAGES.missing('Principal'))
  checkPrincipal(principal)
  const actions = list(s['Action'] ?? s['NotAction'])
  if (actions.length === 0) malformed(S3_POLICY_MESSAGES.missing('Action'))
  for (const a of actions) checkAction(a, known)
  const resources = list(s['Resource'] ?? s['NotResource'])
  if (resources.length === 0) malformed(S3_POLICY_MESSAGES.missing('Resource'))
  const kinds = new Set<string>(resources.map((r) => resourceKind(r, bucket)))
  if (s['Action'] !== undefined && s['Resource'] !== undefined) checkActionsApply(actions, kinds)
}

/** The policy engine's verdict, in S3's words: the engine must be able to evaluate what S3 stores. */
function checkWithEngine(document: string): void {
  try {
    parsePolicy(document, 'resource')
  } catch (e) {
    if (!(e instanceof PolicyValidationError)) throw e
    const msg = e.message
    if (/principal/i.test(msg)) malformed(S3_POLICY_MESSAGES.invalidPrincipal)
    if (/^Resource|resource /.test(msg)) malformed(S3_POLICY_MESSAGES.invalidResource)
    if (/Actions\/Condition|Vendor/.test(msg)) malformed(S3_POLICY_MESSAGES.invalidCondition)
    malformed(S3_POLICY_MESSAGES.invalidJson)
  }
}

/**
 * Validates a bucket policy as PutBucketPolicy does: a JSON object with `Statement`; each
 * statement with `Effect`, a `Principal` (or `NotPrincipal`), S3 actions and resources of
 * this bucket only, and every named action applying to one of the statement's resources
 * (`s3:GetObject` needs `arn:aws:s3:::bucket/…`, `s3:ListBucket` the bucket's ARN).
 * `s3Actions`, when given, are the S3 action names that exist (a pattern must match one).
 * Throws S3's `MalformedPolicy` with S3's message.
 */
export function validateBucketPolicy(
  document: string,
  bucket: string,
  s3Actions?: ReadonlySet<string>,
): void {
  if (!document.trimStart().startsWith('{')) malformed(S3_POLICY_MESSAGES.notObject)
  let doc: Json
  try {
    doc = JSON.parse(document) as Json
  } catch {
    malformed(S3_POLICY_MESSAGES.invalidJson)
  }
  if (!isObj(doc)) malformed(S3_POLICY_MESSAGES.notObject)
  for (const k of Object.keys(doc))
    if (!TOP_FIELDS.has(k)) malformed(S3_POLICY_MESSAGES.unknownField(k))
  const version = doc['Version']
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17')
    malformed(S3_POLICY_MESSAGES.version)
  const statements = list(doc['Statement'])
  if (statements.length === 0) malformed(S3_POLICY_MESSAGES.missing('Statement'))
  for (const s of statements) checkStatement(s, bucket, s3Actions)
  checkWithEngine(document)
}

/**
 * The condition keys whose fixed value makes a statement non-public (S3 User Guide,
 * "Blocking public access to your Amazon S3 storage", "The meaning of public").
 */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceIp',
    'aws:SourceArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceOwner',
    'aws:SourceAccount',
    'aws:SourceOrgID',
    'aws:PrincipalOrgID',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:userid',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((k) => k.toLowerCase()),
)

/** Operators that pin a key to the values listed (no negation, no IfExists, no set operator). */
const FIXED_OPERATORS = new Set(
  ['StringEquals', 'StringEqualsIgnoreCase', 'ArnEquals', 'ArnLike', 'StringLike', 'IpAddress'].map(
    (o) => o.toLowerCase(),
  ),
)

/** The actions that expose data (S3's "bad actions"). */
const BAD_ACTIONS = [
  's3:get*',
  's3:list*',
  's3:abortmultipartupload',
  's3:delete*',
  's3:put*',
  's3:restoreobject',
]

/** Whether one condition value is fixed: no wildcard, no policy variable, no `AROLEID:*`-like match-all, no `/0`. */
function fixedValue(key: string, value: string): boolean {
  if (/[*?]|\$\{/.test(value)) return false
  if (key === 'aws:sourceip') return !/\/0$/.test(value)
  return value.length > 0
}

function restricts(conditions: Json): boolean {
  if (!isObj(conditions)) return false
  for (const [operator, block] of Object.entries(conditions)) {
    if (!FIXED_OPERATORS.has(operator.toLowerCase()) || !isObj(block)) continue
    for (const [key, values] of Object.entries(block)) {
      const k = key.toLowerCase()
      const vs = list(values).map(String)
      if (RESTRICTING_KEYS.has(k) && vs.length > 0 && vs.every((v) => fixedValue(k, v))) return true
    }
  }
  return false
}

function grantsEveryone(s: Obj): boolean {
  if (s['NotPrincipal'] !== undefined) return true
  const p = s['Principal']
  if (p === '*') return true
  if (!isObj(p)) return false
  return Object.values(p).some((v) => list(v).includes('*'))
}

function hasBadAction(s: Obj): boolean {
  if (s['NotAction'] !== undefined) return true
  return list(s['Action']).some((a) => {
    if (typeof a !== 'string') return false
    const pattern = a.toLowerCase()
    return BAD_ACTIONS.some(
      (bad) =>
        matchWildcard(pattern, bad.replace('*', ''), false) || matchWildcard(bad, pattern, false),
    )
  })
}

/**
 * Whether a bucket policy is public by S3's definition: some Allow statement grants a
 * "bad action" (`s3:Get*`, `s3:List*`, `s3:Put*`, `s3:Delete*`, `s3:AbortMultipartUpload`,
 * `s3:RestoreObject`) to everyone (`*`, `{"AWS": "*"}`, or a NotPrincipal) without a
 * condition pinning a fixed value of `aws:SourceIp` (a CIDR other than `/0`),
 * `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`,
 * `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:userid`, `s3:DataAccessPointAccount`
 * and the like. A document that is not JSON is not public (it cannot be stored anyway).
 */
export function isPublicPolicy(document: string): boolean {
  let doc: Json
  try {
    doc = JSON.parse(document) as Json
  } catch {
    return false
  }
  if (!isObj(doc)) return false
  return list(doc['Statement']).some(
    (s) =>
      isObj(s) &&
      s['Effect'] === 'Allow' &&
      grantsEveryone(s) &&
      hasBadAction(s) &&
      !restricts(s['Condition']),
  )
}

/** Whether an ACL is public: it grants anything to AllUsers or AuthenticatedUsers. */
export function isPublicAcl(acl: S3Acl): boolean {
  return acl.grants.some(
    (g) => g.grantee.kind === 'AllUsers' || g.grantee.kind === 'AuthenticatedUsers',
  )
}

/**
 * The bucket-policy rules the operations layer takes ({@link S3PolicyRules}).
 * `s3Actions`: the S3 action names that exist (see `loadS3ActionNames`); without them any
 * `s3:` action name is accepted.
 */
export function createS3PolicyRules(s3Actions?: ReadonlySet<string>): S3PolicyRules {
  return {
    validate: (document, bucket) => {
      validateBucketPolicy(document, bucket, s3Actions)
    },
    isPublic: isPublicPolicy,
    isPublicAcl,
  }
}
