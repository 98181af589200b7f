/**
 * fast-check generators for IAM policies and requests, shared by the property tests and the
 * differential test against iam-simulate. Everything is drawn from one small universe (a few
 * real AWS actions, ARNs of resource types iam-simulate knows, global condition keys with
 * typed values) so that generated statements often match generated requests.
 *
 * The `iam-simulate` dialect keeps to what the oracle can judge: global `aws:` keys only (its
 * validated path drops any other key), no binary keys.
 *
 * Most of the file's length is the universe itself (actions, ARNs, keys and their values),
 * kept in one place so that every generator draws from the same tables.
 */
import fc from 'fast-check'
import type {
  ContextEntry,
  ContextKeyType,
  EvalRequest,
  RequestPrincipal,
} from '../../src/policy/types.js'
import type { NaivePolicy } from './naive-evaluator.js'

export type Dialect = 'full' | 'iam-simulate'

export const ACCOUNT = '111122223333'
export const OTHER_ACCOUNT = '444455556666'
export const CALLER_ROLE = `arn:aws:iam::${ACCOUNT}:role/app`
export const TRUSTED_ROLE = `arn:aws:iam::${ACCOUNT}:role/pod-role`

/** The OIDC issuers of the trust-policy cases and their IAM provider ARNs. */
export const ISSUERS = [
  'oidc.eks.us-west-2.amazonaws.com/id/ABC',
  'oidc.eks.eu-west-1.amazonaws.com/id/DEF',
] as const
export const providerArn = (issuer: string): string =>
  `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}`

/** Requests iam-simulate accepts: each action with a resource of its own type. */
const ACTION_RESOURCES: readonly (readonly [string, readonly string[]])[] = [
  [
    's3:GetObject',
    [
      'arn:aws:s3:::bucket-a/key1',
      'arn:aws:s3:::bucket-a/dir/key2',
      'arn:aws:s3:::bucket-a/alice/notes',
      'arn:aws:s3:::bucket-a/payments/x',
      'arn:aws:s3:::bucket-b/key1',
    ],
  ],
  ['s3:PutObject', ['arn:aws:s3:::bucket-a/key1', 'arn:aws:s3:::bucket-b/dir/key2']],
  ['s3:DeleteObject', ['arn:aws:s3:::bucket-a/dir/key2']],
  ['s3:ListBucket', ['arn:aws:s3:::bucket-a', 'arn:aws:s3:::bucket-b']],
  ['iam:GetUser', [`arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:user/bob`]],
  ['iam:CreateUser', [`arn:aws:iam::${ACCOUNT}:user/bob`]],
  [
    'ec2:StartInstances',
    [
      `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0fedcba9876543210`,
    ],
  ],
  ['ec2:StopInstances', [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`]],
]

const ACTION_PATTERNS = [
  ...ACTION_RESOURCES.map(([a]) => a),
  '*',
  's3:*',
  's3:Get*',
  's3:*Object',
  's3:?etObject',
  'S3:GETOBJECT',
  's3:List*',
  'iam:*',
  'iam:Get*',
  'ec2:*Instances',
  'ec2:Start*',
]

const RESOURCE_PATTERNS = [
  '*',
  ...ACTION_RESOURCES.flatMap(([, r]) => r),
  'arn:aws:s3:::bucket-a',
  'arn:aws:s3:::bucket-a/*',
  'arn:aws:s3:::bucket-?/*',
  'arn:aws:s3:::*/key1',
  'arn:aws:s3:::bucket-a/*/key2',
  'arn:aws:s3:::bucket-*',
  `arn:aws:iam::${ACCOUNT}:user/*`,
  'arn:aws:iam::*:user/a*',
  `arn:aws:ec2:*:${ACCOUNT}:instance/*`,
  'arn:aws:ec2:us-east-1:*:*',
  `arn:aws:ec2:*:${OTHER_ACCOUNT}:instance/*`,
]

/** Resource patterns with policy variables and escapes (only in Resource, never NotResource). */
const VARIABLE_RESOURCE_PATTERNS = [
  'arn:aws:s3:::bucket-a/${aws:username}/*',
  "arn:aws:s3:::bucket-a/${aws:PrincipalTag/team, 'payments'}/*",
  'arn:aws:s3:::bucket-a/${aws:PrincipalTag/team}/*',
  'arn:aws:s3:::bucket-a/${*}',
  `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
]

const STRING_OPS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
]
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike']
const NUMERIC_OPS = [
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
]
const DATE_OPS = NUMERIC_OPS.map((o) => o.replace('Numeric', 'Date'))
/** Operators whose values may carry policy variables in the generated policies (positive only). */
const VARIABLE_OPS = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnLike',
  'ArnEquals',
])

/** One condition key of the universe: its type, request values, operators, policy values. */
export interface KeySpec {
  readonly key: string
  readonly type: ContextKeyType
  readonly requestValues: readonly string[]
  readonly ops: readonly string[]
  readonly policyValues: readonly string[]
  /** Extra policy values with variables, for the positive string/ARN operators. */
  readonly variableValues?: readonly string[]
  /** Known to iam-simulate's validated path (a global aws: key). */
  readonly simulator: boolean
}

export const KEYS: readonly KeySpec[] = [
  {
    key: 'aws:username',
    type: 'string',
    requestValues: ['alice', 'bob', 'Alice'],
    ops: STRING_OPS,
    policyValues: ['alice', 'Alice', 'bob', 'a*', '?lice', '*', 'ALICE'],
    variableValues: ['${aws:PrincipalTag/team}', "${aws:PrincipalTag/team, 'alice'}"],
    simulator: true,
  },
  {
    key: 'aws:PrincipalTag/team',
    type: 'string',
    requestValues: ['payments', 'web', 'Payments', 'alice'],
    ops: STRING_OPS,
    policyValues: ['payments', 'web', 'pay*', 'PAYMENTS', 'w?b'],
    variableValues: ['${aws:username}', "${aws:username, 'web'}"],
    simulator: true,
  },
  {
    key: 'aws:PrincipalAccount',
    type: 'string',
    requestValues: [ACCOUNT, OTHER_ACCOUNT],
    ops: STRING_OPS,
    policyValues: [ACCOUNT, '4444*', OTHER_ACCOUNT],
    simulator: true,
  },
  {
    key: 'aws:PrincipalArn',
    type: 'string',
    requestValues: [
      CALLER_ROLE,
      `arn:aws:iam::${ACCOUNT}:role/admin-1`,
      `arn:aws:iam::${OTHER_ACCOUNT}:role/app`,
    ],
    ops: [...ARN_OPS, 'StringEquals', 'StringLike'],
    policyValues: [
      CALLER_ROLE,
      'arn:aws:iam::*:role/app',
      `arn:aws:iam::${ACCOUNT}:role/admin-*`,
      `arn:aws:iam::${ACCOUNT}:*`,
      'arn:aws:iam::*:role/?pp',
    ],
    variableValues: ['arn:aws:iam::${aws:PrincipalAccount}:role/*'],
    simulator: true,
  },
  {
    key: 'aws:SourceIp',
    type: 'ip',
    requestValues: ['10.1.2.3', '192.168.1.10', '2001:db8::1', '2001:db8:1::5'],
    ops: ['IpAddress', 'NotIpAddress'],
    policyValues: [
      '10.0.0.0/8',
      '192.168.1.10',
      '192.168.0.0/16',
      '2001:db8::/32',
      '2001:DB8::/64',
      '0.0.0.0/0',
    ],
    simulator: true,
  },
  {
    key: 'aws:CurrentTime',
    type: 'date',
    requestValues: ['2020-01-01T00:00:00Z', '2026-06-01T12:00:00Z', '2031-01-01T00:00:00Z'],
    ops: DATE_OPS,
    policyValues: [
      '2020-01-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
      '1767225600',
      '2030-12-31T23:59:59Z',
    ],
    simulator: true,
  },
  {
    key: 'aws:EpochTime',
    type: 'date',
    requestValues: ['1577836800', '1780000000'],
    ops: DATE_OPS,
    policyValues: ['1577836800', '1700000000', '2024-01-01T00:00:00Z'],
    simulator: true,
  },
  {
    key: 'aws:MultiFactorAuthAge',
    type: 'numeric',
    requestValues: ['0', '100', '3600', '86400'],
    ops: NUMERIC_OPS,
    policyValues: ['0', '3600', '100.5', '86400'],
    simulator: true,
  },
  {
    key: 'aws:SecureTransport',
    type: 'boolean',
    requestValues: ['true', 'false'],
    ops: ['Bool'],
    policyValues: ['true', 'false'],
    simulator: true,
  },
  {
    key: 'aws:MultiFactorAuthPresent',
    type: 'boolean',
    requestValues: ['true', 'false'],
    ops: ['Bool'],
    policyValues: ['true', 'false'],
    simulator: true,
  },
  {
    key: 'aws:TagKeys',
    type: 'stringList',
    requestValues: ['env', 'team', 'cost', 'team-a'],
    ops: STRING_OPS,
    policyValues: ['env', 'team', 'team-*', 'cost', 'Env'],
    simulator: true,
  },
  {
    key: 'myco:blob',
    type: 'binary',
    requestValues: ['QUJD', 'REVGRw=='],
    ops: ['BinaryEquals'],
    policyValues: ['QUJD', 'SElK'],
    simulator: false,
  },
  {
    key: 's3:prefix',
    type: 'string',
    requestValues: ['home/alice/x', 'tmp/y', 'home/bob'],
    ops: STRING_OPS,
    policyValues: ['home/*', 'tmp/y', 'home/?ob', 'home'],
    variableValues: ['home/${aws:username}/*', 'home/${aws:username}'],
    simulator: false,
  },
]

const isList = (spec: KeySpec): boolean => spec.type.endsWith('List')

/** A JSON policy statement as the generators build it. */
export type Statement = Record<string, unknown>
/** A JSON policy document. */
export interface PolicyDocument {
  Version?: string
  Statement: Statement[]
}

function keysFor(dialect: Dialect): KeySpec[] {
  return KEYS.filter((k) => dialect === 'full' || k.simulator)
}

/** One `operator: { key: values }` entry. */
export function conditionEntryArb(
  dialect: Dialect,
): fc.Arbitrary<{ operator: string; key: string; values: string[] }> {
  return fc.constantFrom(...keysFor(dialect)).chain((spec) => {
    const nullEntry = fc
      .constantFrom('true', 'false')
      .map((v) => ({ operator: 'Null', key: spec.key, values: [v] }))
    const opEntry = fc
      .record({
        op: fc.constantFrom(...spec.ops),
        set: isList(spec)
          ? fc.constantFrom('ForAllValues:', 'ForAnyValue:')
          : fc.constantFrom('', '', '', '', 'ForAllValues:', 'ForAnyValue:'),
        ifExists: fc.boolean().map((b) => (b ? 'IfExists' : '')),
      })
      .chain(({ op, set, ifExists }) => {
        const pool =
          VARIABLE_OPS.has(op) && spec.variableValues
            ? [...spec.policyValues, ...spec.variableValues]
            : spec.policyValues
        return fc
          .uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 })
          .map((values) => ({ operator: `${set}${op}${ifExists}`, key: spec.key, values }))
      })
    return fc.oneof({ arbitrary: opEntry, weight: 6 }, { arbitrary: nullEntry, weight: 1 })
  })
}

/** A Condition block of 1-2 entries (keys under one operator are merged, as in JSON). */
export function conditionBlockArb(
  dialect: Dialect,
): fc.Arbitrary<Record<string, Record<string, unknown>>> {
  return fc.array(conditionEntryArb(dialect), { minLength: 1, maxLength: 2 }).map((entries) => {
    const block: Record<string, Record<string, unknown>> = {}
    for (const e of entries) {
      const byKey = (block[e.operator] ??= {})
      byKey[e.key] = e.values.length === 1 ? e.values[0] : e.values
    }
    return block
  })
}

const oneOrMany = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof(
    arb,
    fc.uniqueArray(arb, { minLength: 1, maxLength: 3, selector: (x) => JSON.stringify(x) }),
  )

/** An identity-policy statement: Effect, Action/NotAction, Resource/NotResource, Condition. */
export function identityStatementArb(
  dialect: Dialect,
  effect?: 'Allow' | 'Deny',
  hint?: { readonly action: string; readonly resource: string },
): fc.Arbitrary<Statement> {
  // With a hint (the request), the request's own action and resource are drawn often, so
  // that statements match the request often enough to exercise conditions and layers.
  const pick = (pool: readonly string[], favourite: string | undefined): fc.Arbitrary<string> =>
    favourite === undefined
      ? fc.constantFrom(...pool)
      : fc.oneof(fc.constant(favourite), fc.constantFrom(...pool))
  return fc
    .record({
      effect: effect ? fc.constant(effect) : fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      notAction: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      actions: oneOrMany(pick(ACTION_PATTERNS, hint?.action)),
      notResource: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      resources: oneOrMany(
        pick([...RESOURCE_PATTERNS, ...VARIABLE_RESOURCE_PATTERNS], hint?.resource),
      ),
      plainResources: oneOrMany(pick(RESOURCE_PATTERNS, hint?.resource)),
      condition: fc.option(conditionBlockArb(dialect), { freq: 3 }),
    })
    .map((r) => {
      const s: Statement = { Effect: r.effect }
      s[r.notAction ? 'NotAction' : 'Action'] = r.actions
      if (r.notResource) s['NotResource'] = r.plainResources
      else s['Resource'] = r.resources
      if (r.condition !== null) s['Condition'] = r.condition
      return s
    })
}

/** A broad Allow statement (now and then a Deny), for boundaries and session policies. */
export function layerStatementArb(
  dialect: Dialect,
  hint?: { readonly action: string; readonly resource: string },
): fc.Arbitrary<Statement> {
  return fc.oneof(
    {
      arbitrary: fc.record({
        Effect: fc.constant('Allow'),
        Action: fc.constantFrom('*', 's3:*', 's3:Get*', 'iam:*', 'ec2:*', ['s3:*', 'ec2:*']),
        Resource: fc.constantFrom('*', 'arn:aws:s3:::bucket-a/*', 'arn:aws:s3:::*', '*'),
      }),
      weight: 4,
    },
    { arbitrary: identityStatementArb(dialect, undefined, hint), weight: 1 },
  )
}

/** A policy document: mostly Version 2012-10-17, sometimes 2008-10-17 or no Version. */
export function documentArb(
  statement: fc.Arbitrary<Statement>,
  max = 4,
): fc.Arbitrary<PolicyDocument> {
  return fc
    .record({
      version: fc.constantFrom<string | undefined>(
        ...Array<string>(16).fill('2012-10-17'),
        '2008-10-17',
        '2008-10-17',
        undefined,
      ),
      statements: fc.array(statement, { minLength: 1, maxLength: max }),
      sids: fc.boolean(),
    })
    .map(({ version, statements, sids }) => ({
      ...(version !== undefined ? { Version: version } : {}),
      Statement: statements.map((s, i) => (sids ? { Sid: `S${i}`, ...s } : s)),
    }))
}

function contextArb(dialect: Dialect): fc.Arbitrary<Record<string, ContextEntry>> {
  const specs = keysFor(dialect)
  return fc
    .tuple(
      ...specs.map((spec) =>
        fc.option(
          isList(spec)
            ? fc.uniqueArray(fc.constantFrom(...spec.requestValues), { minLength: 1, maxLength: 3 })
            : fc.constantFrom(...spec.requestValues).map((v) => [v]),
          { freq: 2 },
        ),
      ),
      fc.boolean(),
    )
    .map(([...parts]) => {
      const shout = parts.pop() as boolean
      const context: Record<string, ContextEntry> = {}
      specs.forEach((spec, i) => {
        const values = parts[i] as string[] | null
        if (values === null) return
        // Key names are case-insensitive: sometimes spell one in capitals.
        const key = shout && i % 3 === 0 ? spec.key.toUpperCase() : spec.key
        context[key] = { type: spec.type, values }
      })
      return context
    })
}

/** A request of the identity universe (no principal). */
export function identityRequestArb(dialect: Dialect): fc.Arbitrary<EvalRequest> {
  return fc.constantFrom(...ACTION_RESOURCES).chain(([action, resources]) =>
    fc.record({
      action: fc.constant(action),
      resource: fc.constantFrom(...resources),
      context: contextArb(dialect),
    }),
  )
}

/** Policies and a request, in the shape the naive evaluator (and the engine) take. */
export interface GeneratedCase {
  readonly identity?: readonly NaivePolicy[]
  readonly boundary?: readonly NaivePolicy[]
  readonly session?: readonly NaivePolicy[]
  readonly resource?: NaivePolicy
  readonly request: EvalRequest
}

/** Identity policies (1-2), sometimes a permissions boundary and a session policy. */
export function identityCaseArb(
  dialect: Dialect,
  opts: { readonly layers?: boolean } = {},
): fc.Arbitrary<GeneratedCase> {
  return identityRequestArb(dialect)
    .chain((request) => {
      const doc = documentArb(identityStatementArb(dialect, undefined, request))
      const layerDoc = documentArb(layerStatementArb(dialect, request), 3)
      const layer = opts.layers === false ? fc.constant(null) : fc.option(layerDoc, { freq: 3 })
      return fc.record({
        identity: fc.array(doc, { minLength: 1, maxLength: 2 }),
        boundary: layer,
        session: layer,
        request: fc.constant(request),
      })
    })
    .map((r) => ({
      identity: r.identity.map((d, i) => ({
        id: `policy-${i}`,
        type: 'user-managed' as const,
        document: d,
      })),
      ...(r.boundary !== null
        ? { boundary: [{ id: 'boundary', type: 'none' as const, document: r.boundary }] }
        : {}),
      ...(r.session !== null
        ? { session: [{ id: 'session', type: 'none' as const, document: r.session }] }
        : {}),
      request: r.request,
    }))
}

const SUBJECTS = [
  'system:serviceaccount:default:my-sa',
  'system:serviceaccount:default:other',
  'system:serviceaccount:prod:my-sa',
]
const SUB_PATTERNS = [
  ...SUBJECTS,
  'system:serviceaccount:default:*',
  'system:serviceaccount:*:my-sa',
  'system:serviceaccount:prod:?y-sa',
]
const AUDIENCES = ['sts.amazonaws.com', 'other-audience']

/** A web-identity trust statement on one or both providers, conditioned on :sub and :aud. */
export function trustStatementArb(): fc.Arbitrary<Statement> {
  return fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      issuers: fc.constantFrom([0], [0], [1], [0, 1]),
      action: fc.constantFrom<string | string[]>(
        'sts:AssumeRoleWithWebIdentity',
        'sts:AssumeRoleWithWebIdentity',
        ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        'sts:AssumeRole*',
        'sts:AssumeRole',
      ),
      subIssuer: fc.constantFrom(0, 1),
      subOp: fc.constantFrom(
        'StringEquals',
        'StringEquals',
        'StringLike',
        'StringLike',
        'StringNotEquals',
        'StringNotLike',
        'StringEqualsIfExists',
        'ForAnyValue:StringLike',
      ),
      subs: fc.uniqueArray(fc.constantFrom(...SUB_PATTERNS), { minLength: 1, maxLength: 2 }),
      aud: fc.option(fc.constantFrom(...AUDIENCES), { freq: 3 }),
    })
    .map((r) => {
      const issuer = ISSUERS[r.subIssuer]
      const wanted = r.issuers.map((i) => providerArn(ISSUERS[i]))
      const condition: Record<string, Record<string, unknown>> = {
        [r.subOp]: { [`${issuer}:sub`]: r.subs.length === 1 ? r.subs[0] : r.subs },
      }
      if (r.aud !== null) {
        const eq = (condition['StringEquals'] ??= {})
        eq[`${issuer}:aud`] = r.aud
      }
      return {
        Effect: r.effect,
        Principal: { Federated: wanted.length === 1 ? wanted[0] : wanted },
        Action: r.action,
        Condition: condition,
      }
    })
}

/** An AssumeRoleWithWebIdentity request: a provider's token with its :sub and :aud claims. */
export function trustRequestArb(): fc.Arbitrary<EvalRequest> {
  return fc
    .record({
      provider: fc.constantFrom(0, 1),
      claimsFrom: fc.constantFrom(0, 0, 0, 1),
      sub: fc.constantFrom(...SUBJECTS),
      aud: fc.option(fc.constantFrom(...AUDIENCES), { freq: 6 }),
    })
    .map((r) => {
      const providerIssuer = ISSUERS[r.provider]
      // Usually the claims are keyed by the token's own issuer; sometimes by the other one.
      const keyIssuer = r.claimsFrom === 0 ? providerIssuer : ISSUERS[1 - r.provider]!
      const context: Record<string, ContextEntry> = {
        [`${keyIssuer}:sub`]: { type: 'string', values: [r.sub] },
      }
      if (r.aud !== null) context[`${keyIssuer}:aud`] = { type: 'string', values: [r.aud] }
      const principal: RequestPrincipal = { type: 'Federated', id: providerArn(providerIssuer) }
      return {
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: TRUSTED_ROLE,
        principal,
        context,
      }
    })
}

/** A role trust policy (1-3 web-identity statements) and an assume request. */
export function trustCaseArb(): fc.Arbitrary<GeneratedCase> {
  return fc
    .record({
      document: fc.array(trustStatementArb(), { minLength: 1, maxLength: 3 }).map((Statement) => ({
        Version: '2012-10-17',
        Statement,
      })),
      request: trustRequestArb(),
    })
    .map((r) => ({
      resource: { id: 'trust', type: 'resource' as const, document: r.document },
      request: r.request,
    }))
}

/** An extra Deny statement for the monotonicity property. */
export function denyStatementArb(dialect: Dialect): fc.Arbitrary<Statement> {
  return identityStatementArb(dialect, 'Deny')
}

/** Patterns and values over a tiny alphabet, for the wildcard matcher. */
export const wildcardPatternArb = fc.string({
  unit: fc.constantFrom('a', 'b', 'A', '*', '?', ':'),
  maxLength: 12,
})
export const wildcardValueArb = fc.string({
  unit: fc.constantFrom('a', 'b', 'A', ':'),
  maxLength: 14,
})
