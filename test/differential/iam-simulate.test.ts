/**
 * Differential test against @cloud-copilot/iam-simulate (an AGPL test oracle, imported only
 * here and in bench/). A deterministic generated corpus of identity-policy cases (ARNs with and
 * without `/*`, NotAction/NotResource, every operator family with IfExists and set prefixes,
 * missing keys, policy variables, Deny/Allow mixes, boundaries and session policies) goes
 * through our engine and iam-simulate's validated `runSimulation`; a corpus of IRSA trust
 * policies goes through `runUnsafeSimulation` (with the `createValidatedPolicy` wrapper it
 * needs for resource policies) and through `runSimulation`.
 *
 * Decisions must be identical. A disagreement is accepted only when it is listed in
 * KNOWN_DISAGREEMENTS with the AWS page that shows who is right, AND rewriting the case to say
 * the same thing without the listed feature (e.g. an epoch date as the same instant in ISO
 * 8601) makes iam-simulate agree while our decision stays the same. So a listed entry cannot
 * hide an unrelated difference. Every listed entry must also still occur, so the table cannot
 * go stale when iam-simulate changes. (The file is long because each table entry carries its
 * rewrite; the table is the point of the file, so it stays here.)
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { evaluate } from '../../src/policy/index.js'
import type { Decision } from '../../src/policy/index.js'
import { repoPath } from '../helpers/paths.js'
import { identityCaseArb, trustCaseArb } from '../property/arbitraries.js'
import type { GeneratedCase, PolicyDocument, Statement } from '../property/arbitraries.js'
import { compileCase } from '../property/compile-case.js'
import type { NaivePolicy } from '../property/naive-evaluator.js'
import { loadPolicyCases } from '../property/policy-cases.js'
import type { CasePolicy, PolicyCase } from '../property/policy-cases.js'
import { oracleDecision, withKnownIssuers } from './iam-simulate-adapter.js'
import type { Oracle } from './iam-simulate-adapter.js'

const SEED = 20260923
const IDENTITY_CASES = 2500
const TRUST_CASES = 400

/** A documented difference between iam-simulate and AWS, and how to say the case without it. */
interface KnownDisagreement {
  readonly id: string
  readonly oracle: readonly Oracle[]
  /** What iam-simulate does. */
  readonly iamSimulate: string
  /** The AWS documentation that shows what AWS does (and so who is right). */
  readonly aws: string
  readonly applies: (c: GeneratedCase) => boolean
  /** The same request and policies, with the same meaning on AWS, without the feature. */
  readonly rewrite: (c: GeneratedCase) => GeneratedCase
}

// ---------------------------------------------------------------------------------------------
// Walking the generated documents.

const DATE_OPERATOR = /^(For(All|Any)Values?:)?Date[A-Za-z]*$/
const ARN_OPERATOR = /^(For(All|Any)Values?:)?Arn[A-Za-z]*$/
const STRING_EQUALS_OPERATOR = /^(For(All|Any)Values?:)?String(Not)?Equals(IgnoreCase)?(IfExists)?$/
const IP_OPERATOR = /^(For(All|Any)Values?:)?(Not)?IpAddress(IfExists)?$/

function docs(c: GeneratedCase): NaivePolicy[] {
  return [
    ...(c.identity ?? []),
    ...(c.boundary ?? []),
    ...(c.session ?? []),
    ...(c.resource ? [c.resource] : []),
  ]
}

function mapCase(
  c: GeneratedCase,
  f: (doc: PolicyDocument) => PolicyDocument,
  request = c.request,
): GeneratedCase {
  const m = (p: NaivePolicy): NaivePolicy => ({ ...p, document: f(p.document as PolicyDocument) })
  return {
    ...(c.identity ? { identity: c.identity.map(m) } : {}),
    ...(c.boundary ? { boundary: c.boundary.map(m) } : {}),
    ...(c.session ? { session: c.session.map(m) } : {}),
    ...(c.resource ? { resource: m(c.resource) } : {}),
    request,
  }
}

/** Every `operator → key → values` of a document, as strings. */
function conditions(doc: PolicyDocument): { operator: string; key: string; values: string[] }[] {
  const out: { operator: string; key: string; values: string[] }[] = []
  for (const s of doc.Statement) {
    const block = (s['Condition'] ?? {}) as Record<string, Record<string, unknown>>
    for (const [operator, keys] of Object.entries(block)) {
      for (const [key, v] of Object.entries(keys)) {
        out.push({ operator, key, values: (Array.isArray(v) ? v : [v]).map(String) })
      }
    }
  }
  return out
}

/** Rewrites the value lists of the conditions of one operator family in a document. */
function mapConditionLists(
  doc: PolicyDocument,
  family: RegExp,
  f: (values: string[], key: string) => string[],
): PolicyDocument {
  return {
    ...doc,
    Statement: doc.Statement.map((s): Statement => {
      const block = s['Condition'] as Record<string, Record<string, unknown>> | undefined
      if (block === undefined) return s
      const next: Record<string, Record<string, unknown>> = {}
      for (const [operator, keys] of Object.entries(block)) {
        const byKey: Record<string, unknown> = {}
        for (const [key, v] of Object.entries(keys)) {
          const values = (Array.isArray(v) ? v : [v]).map(String)
          byKey[key] = family.test(operator) ? f(values, key) : v
        }
        next[operator] = byKey
      }
      return { ...s, Condition: next }
    }),
  }
}

/** Rewrites each condition value of one operator family in a document. */
function mapConditionValues(
  doc: PolicyDocument,
  family: RegExp,
  f: (value: string, key: string) => string,
): PolicyDocument {
  return mapConditionLists(doc, family, (values, key) => values.map((v) => f(v, key)))
}

/** Rewrites every string in a document. */
function mapStrings(doc: PolicyDocument, f: (s: string) => string): PolicyDocument {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return f(v)
    if (Array.isArray(v)) return v.map(walk)
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [f(k), walk(x)]))
    }
    return v
  }
  return walk(doc) as PolicyDocument
}

const isEpoch = (v: string): boolean => /^\d+$/.test(v)
const iso = (epochSeconds: string): string =>
  new Date(Number(epochSeconds) * 1000).toISOString().replace('.000Z', 'Z')

function requestValue(c: GeneratedCase, key: string): string | undefined {
  for (const [k, e] of Object.entries(c.request.context)) {
    if (k.toLowerCase() === key.toLowerCase() && !e.type.endsWith('List')) return e.values[0]
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// The table.

const KNOWN_DISAGREEMENTS: readonly KnownDisagreement[] = [
  {
    id: 'date-epoch-seconds-vs-iso-milliseconds',
    oracle: ['runSimulation', 'runUnsafeSimulation'],
    iamSimulate:
      'parses an all-digit date as epoch seconds but an ISO 8601 date as epoch milliseconds, ' +
      'so it compares 1700000000 (2023-11-14) with 2024-01-01T00:00:00Z as 1.7e9 against 1.7e12',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date (date values are ISO 8601 or epoch (UNIX) time, the same instant either way)',
    applies: (c) =>
      docs(c).some((p) =>
        conditions(p.document as PolicyDocument).some((x) => {
          if (!DATE_OPERATOR.test(x.operator)) return false
          const rv = requestValue(c, x.key)
          const all = rv === undefined ? x.values : [...x.values, rv]
          return all.some(isEpoch) && !all.every(isEpoch)
        }),
      ),
    rewrite: (c) => {
      const context = Object.fromEntries(
        Object.entries(c.request.context).map(([k, e]) => [
          k,
          e.type === 'date' ? { ...e, values: e.values.map((v) => (isEpoch(v) ? iso(v) : v)) } : e,
        ]),
      )
      return mapCase(
        c,
        (d) => mapConditionValues(d, DATE_OPERATOR, (v) => (isEpoch(v) ? iso(v) : v)),
        { ...c.request, context },
      )
    },
  },
  {
    id: 'ipv4-cidr-with-zero-prefix-matches-nothing',
    oracle: ['runSimulation', 'runUnsafeSimulation'],
    iamSimulate: 'matches no address against 0.0.0.0/0 (IpAddress false, NotIpAddress true)',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress (values are RFC 4632 CIDR ranges; 0.0.0.0/0 is every IPv4 address)',
    applies: (c) =>
      docs(c).some((p) =>
        conditions(p.document as PolicyDocument).some(
          (x) => IP_OPERATOR.test(x.operator) && x.values.includes('0.0.0.0/0'),
        ),
      ),
    // The same set of addresses as two halves.
    rewrite: (c) =>
      mapCase(c, (d) =>
        mapConditionLists(d, IP_OPERATOR, (values) =>
          values.flatMap((v) => (v === '0.0.0.0/0' ? ['0.0.0.0/1', '128.0.0.0/1'] : [v])),
        ),
      ),
  },
  {
    id: 'not-ip-address-bare-address-other-family',
    oracle: ['runSimulation', 'runUnsafeSimulation'],
    iamSimulate:
      'makes NotIpAddress false when the policy value is a bare address (no /prefix) of the ' +
      'other family than the request (192.168.1.10 against 2001:db8::1)',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress (NotIpAddress: all IP addresses except the specified address or range)',
    applies: (c) =>
      docs(c).some((p) =>
        conditions(p.document as PolicyDocument).some(
          (x) => IP_OPERATOR.test(x.operator) && x.values.some((v) => !v.includes('/')),
        ),
      ),
    // A single address is the range of one: /32 or /128.
    rewrite: (c) =>
      mapCase(c, (d) =>
        mapConditionValues(d, IP_OPERATOR, (v) =>
          v.includes('/') ? v : `${v}/${v.includes(':') ? 128 : 32}`,
        ),
      ),
  },
  {
    id: 'variables-substituted-in-version-2008-policies',
    oracle: ['runSimulation', 'runUnsafeSimulation'],
    iamSimulate: 'substitutes ${...} policy variables whatever the policy Version says',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html (without Version 2012-10-17, variables such as ${aws:username} are treated as literal strings)',
    applies: (c) =>
      docs(c).some((p) => {
        const d = p.document as PolicyDocument
        return d.Version !== '2012-10-17' && JSON.stringify(d).includes('${')
      }),
    // Literal `${…}` text is replaced by other literal text, the same way in the policy and in
    // the request (where a hand-written case spells it out to match it).
    rewrite: (c) => {
      const literal = (x: string): string =>
        x.replace(/\$\{([^}]*)\}/g, (_, inner: string) => `lit-${inner.replace(/\W/g, '_')}`)
      const context = Object.fromEntries(
        Object.entries(c.request.context).map(([k, e]) => [
          k,
          { ...e, values: e.values.map(literal) },
        ]),
      )
      return mapCase(c, (d) => (d.Version === '2012-10-17' ? d : mapStrings(d, literal)), {
        ...c.request,
        resource: literal(c.request.resource),
        context,
      })
    },
  },
  {
    id: 'arn-condition-variable-split-at-colons',
    oracle: ['runSimulation', 'runUnsafeSimulation'],
    iamSimulate:
      'splits an Arn* condition value at its colons before substituting variables, so a ' +
      'variable whose key has a colon (${aws:PrincipalAccount}) breaks the ARN and never matches',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN (ARN condition operators: policy variables supported)',
    applies: (c) =>
      docs(c).some((p) =>
        conditions(p.document as PolicyDocument).some(
          (x) => ARN_OPERATOR.test(x.operator) && x.values.some((v) => v.includes('${')),
        ),
      ),
    // Substitute the variables ourselves, as AWS would, before iam-simulate sees the value.
    rewrite: (c) =>
      mapCase(c, (d) =>
        d.Version !== '2012-10-17'
          ? d
          : mapConditionValues(d, ARN_OPERATOR, (v) =>
              v.replace(/\$\{([^},]+)(?:, '([^']*)')?\}/g, (_, key: string, dflt?: string) => {
                return requestValue(c, key.trim()) ?? dflt ?? 'no-such-value'
              }),
            ),
      ),
  },
  {
    id: 'escapes-kept-literally-in-string-equals',
    oracle: ['runSimulation', 'runUnsafeSimulation'],
    iamSimulate:
      'leaves ${*}, ${?} and ${$} as literal text in StringEquals-family values (it replaces ' +
      'them only where wildcards are allowed)',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars (${*}, ${?}, ${$} stand for *, ?, $ in any string where regular policy variables can be used)',
    applies: (c) =>
      docs(c).some((p) =>
        conditions(p.document as PolicyDocument).some(
          (x) =>
            STRING_EQUALS_OPERATOR.test(x.operator) && x.values.some((v) => /\$\{[*?$]\}/.test(v)),
        ),
      ),
    // In the StringEquals family `*` and `?` are plain characters, and so is a `$` not followed
    // by `{`: the escapes can be written out.
    rewrite: (c) =>
      mapCase(c, (d) =>
        mapConditionValues(d, STRING_EQUALS_OPERATOR, (v) => v.replace(/\$\{([*?$])\}/g, '$1')),
      ),
  },
  {
    id: 'not-principal-listing-the-account-spares-all-of-it',
    oracle: ['runSimulation', 'runUnsafeSimulation'],
    iamSimulate:
      'treats a Deny with NotPrincipal that lists a role and its account as sparing every ' +
      'principal of that account, not only the listed role',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html (AWS checks the account, then the role: listing a role with its account denies all principals except that role; the page recommends Principal "*" with ArnNotEquals on aws:PrincipalArn instead)',
    applies: (c) =>
      docs(c).some((p) =>
        (p.document as PolicyDocument).Statement.some(
          (s) => s['Effect'] === 'Deny' && 'NotPrincipal' in s,
        ),
      ),
    // The page's own alternative: Principal "*" and conditions on aws:PrincipalArn and
    // aws:PrincipalAccount (one Deny each, since the deny applies when either is not listed).
    rewrite: (c) => {
      const p = c.request.principal
      if (p?.type !== 'AWS' || p.account === undefined) return c
      const context = {
        ...c.request.context,
        'aws:PrincipalArn': { type: 'string' as const, values: [p.id] },
        'aws:PrincipalAccount': { type: 'string' as const, values: [p.account] },
      }
      const rewriteStatement = (s: Statement): Statement[] => {
        if (s['Effect'] !== 'Deny' || !('NotPrincipal' in s)) return [s]
        const spec = s['NotPrincipal'] as Record<string, unknown>
        const listed = [spec['AWS'] ?? []].flat().map(String)
        const accountOf = (v: string): string | undefined =>
          /^\d{12}$/.test(v) ? v : /^arn:aws:iam::(\d{12}):root$/.exec(v)?.[1]
        const accounts = listed.map(accountOf).filter((a): a is string => a !== undefined)
        const arns = listed.filter((v) => accountOf(v) === undefined)
        const base: Statement = { ...s }
        delete base['NotPrincipal']
        const cond = (s['Condition'] ?? {}) as Record<string, Record<string, unknown>>
        const out: Statement[] = [
          {
            ...base,
            Principal: '*',
            Condition: {
              ...cond,
              StringNotEquals: {
                'aws:PrincipalAccount': accounts.length > 0 ? accounts : ['none'],
              },
            },
          },
        ]
        out.push(
          arns.length > 0
            ? {
                ...base,
                Principal: '*',
                Condition: { ...cond, ArnNotEquals: { 'aws:PrincipalArn': arns } },
              }
            : { ...base, Principal: '*' },
        )
        return out
      }
      return mapCase(c, (d) => ({ ...d, Statement: d.Statement.flatMap(rewriteStatement) }), {
        ...c.request,
        context,
      })
    },
  },
  {
    id: 'eks-issuer-condition-keys-dropped',
    oracle: ['runSimulation'],
    iamSimulate:
      'keeps only the context keys its service data lists for the action; for ' +
      'AssumeRoleWithWebIdentity that is accounts.google.com, cognito-identity.amazonaws.com ' +
      'and a few others, so <EKS issuer>:sub and :aud are silently dropped and every IRSA trust ' +
      'condition on them fails',
    aws: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif and https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html (the provider URL :sub and :aud keys of any registered OIDC provider)',
    applies: (c) => c.request.action === 'sts:AssumeRoleWithWebIdentity',
    // Rename the two issuers, everywhere, to issuers whose keys iam-simulate knows.
    rewrite: withKnownIssuers,
  },
]

// ---------------------------------------------------------------------------------------------
// Running both sides.

function ours(c: GeneratedCase): Decision {
  return evaluate(c.request, compileCase(c)).decision
}

async function theirs(c: GeneratedCase, oracle: Oracle): Promise<Decision> {
  try {
    return await oracleDecision(c, oracle)
  } catch (e) {
    assert.fail(`${e instanceof Error ? e.message : String(e)}\n${JSON.stringify(c)}`)
  }
}

interface Tally {
  agreed: number
  known: Map<string, number>
}

/**
 * Compares one case. On a disagreement, the listed entries that apply rewrite the case; the
 * rewritten case must keep our decision and bring iam-simulate's into line.
 */
async function compare(
  c: GeneratedCase,
  oracle: Oracle,
  tally: Tally,
  name = 'generated case',
): Promise<void> {
  const mine = ours(c)
  const other = await theirs(c, oracle)
  if (mine === other) {
    tally.agreed++
    return
  }
  const listed = KNOWN_DISAGREEMENTS.filter((k) => k.oracle.includes(oracle) && k.applies(c))
  const rewritten = listed.reduce((x, k) => k.rewrite(x), c)
  const report = `${name}: ours=${mine} iam-simulate(${oracle})=${other}; listed: [${listed
    .map((k) => k.id)
    .join(', ')}]\n${JSON.stringify(c, null, 1)}`
  assert.ok(listed.length > 0, `unlisted disagreement: ${report}`)
  assert.equal(ours(rewritten), mine, `a rewrite changed our decision: ${report}`)
  assert.equal(
    await theirs(rewritten, oracle),
    mine,
    `the listed features do not explain the disagreement: ${report}`,
  )
  for (const k of listed) tally.known.set(k.id, (tally.known.get(k.id) ?? 0) + 1)
}

const identityCorpus = fc.sample(identityCaseArb('iam-simulate'), {
  seed: SEED,
  numRuns: IDENTITY_CASES,
})
const trustCorpus = fc.sample(trustCaseArb(), { seed: SEED, numRuns: TRUST_CASES })
const tallies = new Map<string, Tally>()

test(`identity policies: identical decisions with runSimulation on ${IDENTITY_CASES} generated cases`, async () => {
  const tally: Tally = { agreed: 0, known: new Map() }
  tallies.set('runSimulation', tally)
  for (const c of identityCorpus) await compare(c, 'runSimulation', tally)
  const decisions = new Set(identityCorpus.map(ours))
  assert.equal(decisions.size, 3, 'the corpus reaches all three decisions')
  console.log(`runSimulation: ${tally.agreed} agreed, known: ${JSON.stringify([...tally.known])}`)
})

test(`IRSA trust policies: identical decisions with runUnsafeSimulation (wrapped) on ${TRUST_CASES} cases`, async () => {
  const tally: Tally = { agreed: 0, known: new Map() }
  tallies.set('runUnsafeSimulation', tally)
  for (const c of trustCorpus) await compare(c, 'runUnsafeSimulation', tally)
  const decisions = new Set(trustCorpus.map(ours))
  assert.equal(decisions.size, 3, 'the corpus reaches all three decisions')
  console.log(
    `runUnsafeSimulation: ${tally.agreed} agreed, known: ${JSON.stringify([...tally.known])}`,
  )
})

test('IRSA trust policies through runSimulation: every difference is the dropped EKS issuer keys', async () => {
  const tally: Tally = { agreed: 0, known: new Map() }
  tallies.set('trust-runSimulation', tally)
  for (const c of trustCorpus) await compare(c, 'runSimulation', tally)
  console.log(
    `trust via runSimulation: ${tally.agreed} agreed, known: ${JSON.stringify([...tally.known])}`,
  )
})

/** A hand-written conformance case as a generated one (documents parsed). */
function fromCaseFile(pc: PolicyCase): GeneratedCase {
  const parse = (p: CasePolicy): NaivePolicy => ({
    id: p.id,
    ...(p.type !== undefined ? { type: p.type } : {}),
    document: typeof p.document === 'string' ? (JSON.parse(p.document) as unknown) : p.document,
  })
  const { identity, boundary, session, resource } = pc.policies
  return {
    ...(identity ? { identity: identity.map(parse) } : {}),
    ...(boundary ? { boundary: boundary.map(parse) } : {}),
    ...(session ? { session: session.map(parse) } : {}),
    ...(resource ? { resource: parse(resource) } : {}),
    request: pc.request,
  }
}

test('the hand-written conformance cases: identical decisions with iam-simulate', async () => {
  // runUnsafeSimulation keeps every context key (the cases use service and custom keys) but
  // ignores session policies, so the cases with a session policy go through runSimulation.
  const tally: Tally = { agreed: 0, known: new Map() }
  tallies.set('conformance', tally)
  const cases = loadPolicyCases(repoPath('test', 'fixtures', 'policy'))
  for (const pc of cases) {
    const c = fromCaseFile(pc)
    await compare(c, c.session ? 'runSimulation' : 'runUnsafeSimulation', tally, pc.file)
  }
  console.log(
    `conformance cases: ${tally.agreed} agreed, known: ${JSON.stringify([...tally.known])}`,
  )
})

test('every listed disagreement still occurs (the table is not stale)', () => {
  for (const k of KNOWN_DISAGREEMENTS) {
    const seen = [...tallies.values()].some((t) => (t.known.get(k.id) ?? 0) > 0)
    assert.ok(seen, `${k.id} no longer occurs: iam-simulate may have changed; update the table`)
  }
})
