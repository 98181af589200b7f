import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  applyJsonPatch,
  createMutationConfig,
  isWebhookError,
  MAX_WARNING_LENGTH,
  mutatePod,
} from '../../../src/webhook/index.js'
import type {
  EnvFromSourceRef,
  MutationOptions,
  Pod,
  ServiceAccount,
} from '../../../src/webhook/index.js'

const ROLE = 'arn:aws:iam::111122223333:role/shop-app'
const sa = (annotations: Record<string, string> = { 'eks.amazonaws.com/role-arn': ROLE }) =>
  ({ metadata: { name: 'app', namespace: 'shop', annotations } }) satisfies ServiceAccount
const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'shop', ...metadata },
  spec: { serviceAccountName: 'app', ...spec },
})
const config = (o: MutationOptions = {}) => createMutationConfig(o)

test('pods the mutation cannot patch correctly are refused with the JSON path at fault', () => {
  const cases: [unknown, string][] = [
    ['a string', ''],
    [{ metadata: { name: 'x' } }, '/spec'],
    [{ spec: 'x' }, '/spec'],
    [{ spec: { containers: {} } }, '/spec/containers'],
    [{ spec: { containers: ['x'] } }, '/spec/containers/0'],
    [{ spec: { containers: [{ name: 'a', env: { A: '1' } }] } }, '/spec/containers/0/env'],
    [
      { spec: { initContainers: [{ name: 'a', volumeMounts: 'x' }] } },
      '/spec/initContainers/0/volumeMounts',
    ],
    [{ spec: { volumes: {} } }, '/spec/volumes'],
    [{ spec: { securityContext: [] } }, '/spec/securityContext'],
    [{ metadata: 'x', spec: {} }, '/metadata'],
  ]
  for (const [input, path] of cases) {
    assert.throws(
      () => mutatePod(input as Pod, sa(), config()),
      (e: unknown) =>
        isWebhookError(e) && e.code === 'ERR_WEBHOOK_POD_SHAPE' && e.message.startsWith(path + ' '),
      JSON.stringify(input),
    )
  }
})

test('odd values where nothing is written are read leniently', () => {
  const p: Pod = {
    metadata: {
      name: 'web',
      namespace: 'shop',
      labels: null as never,
      annotations: { x: 1 } as never,
    },
    spec: {
      serviceAccountName: 'app',
      containers: [
        { name: 'web', env: null as never, volumeMounts: [{ mountPath: '/x' }, 7] as never },
      ],
      volumes: [{ emptyDir: {} } as never],
    },
  }
  const r = mutatePod(p, sa(), config())
  assert.equal(r.outcome, 'mutated')
  const out = applyJsonPatch(p, r.patch) as Pod
  assert.deepEqual(
    out.spec?.containers?.[0]?.env?.map((e) => e.name),
    ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'],
  )
  assert.equal(out.spec.containers[0].volumeMounts!.length, 3)
})

test('serviceAccountName defaults to "default"; the deprecated serviceAccount field counts', () => {
  const seen: string[] = []
  const c = config({
    isPodIdentityAssociated: (ns, name) => {
      seen.push(`${ns}/${name}`)
      return false
    },
  })
  mutatePod(pod({ serviceAccountName: undefined, containers: [] }), sa(), c)
  mutatePod(pod({ serviceAccountName: '', serviceAccount: 'legacy', containers: [] }), sa(), c)
  assert.deepEqual(seen, ['shop/default', 'shop/legacy'])
})

test("a pod without a namespace takes the ServiceAccount's, for lookups and messages", () => {
  const seen: string[] = []
  const c = config({
    isPodIdentityAssociated: (ns, name) => {
      seen.push(`${ns}/${name}`)
      return false
    },
  })
  const r = mutatePod(pod({ containers: [] }, { namespace: undefined }), sa({}), c)
  assert.deepEqual(seen, ['shop/app'])
  assert.equal(r.outcome, 'no-identity')
})

test('outcome and mode for each path', () => {
  const p = pod({ containers: [{ name: 'web' }] })
  assert.deepEqual((({ outcome, mode }) => ({ outcome, mode }))(mutatePod(p, sa(), config())), {
    outcome: 'mutated',
    mode: 'irsa',
  })
  const missing = mutatePod(p, undefined, config())
  assert.equal(missing.outcome, 'service-account-missing')
  assert.equal('mode' in missing, false)
  assert.equal(mutatePod(p, sa({}), config()).outcome, 'no-identity')
  const pi = mutatePod(p, sa({}), config({ isPodIdentityAssociated: () => true, random: () => 0 }))
  assert.deepEqual([pi.outcome, pi.mode], ['mutated', 'pod-identity'])
})

test('Pod Identity jitter: exactly 86400 becomes [79200, 86400] from the injected random', () => {
  const expiration = (options: MutationOptions, p = pod({ containers: [] })): unknown => {
    const r = mutatePod(p, sa({}), config({ isPodIdentityAssociated: () => true, ...options }))
    const out = applyJsonPatch(p, r.patch) as { spec: { volumes: { projected: unknown }[] } }
    return (
      out.spec.volumes[0]?.projected as {
        sources: { serviceAccountToken: { expirationSeconds: number } }[]
      }
    ).sources[0]?.serviceAccountToken.expirationSeconds
  }
  assert.equal(expiration({ random: () => 0 }), 79200)
  assert.equal(expiration({ random: () => 0.5 }), 82800)
  assert.equal(expiration({ random: () => 0.9999999999 }), 86400)
  // A broken random source cannot push the value out of range.
  assert.equal(expiration({ random: () => 1 }), 86400)
  assert.equal(expiration({ random: () => 7 }), 86400)
  assert.equal(expiration({ random: () => -1 }), 79200)
  assert.equal(expiration({ random: () => Number.NaN }), 79200)
  const never = () => assert.fail('random drawn')
  assert.equal(expiration({ random: never, tokenExpiration: 86399 }), 86399)
  assert.equal(
    expiration(
      { random: never },
      pod({ containers: [] }, { annotations: { 'eks.amazonaws.com/token-expiration': '3600' } }),
    ),
    3600,
  )
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
      const e = expiration({ random: () => r }) as number
      return Number.isInteger(e) && e >= 79200 && e <= 86400
    }),
  )
})

test('IRSA never jitters: a one-day token stays one day and no random number is drawn', () => {
  const r = mutatePod(pod({ containers: [] }), sa(), config({ random: () => assert.fail('drawn') }))
  assert.deepEqual(r.patch[0], {
    op: 'add',
    path: '/spec/volumes',
    value: [
      {
        name: 'aws-iam-token',
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: 'sts.amazonaws.com',
                expirationSeconds: 86400,
                path: 'token',
              },
            },
          ],
        },
      },
    ],
  })
})

test('Pod Identity label: a pod without metadata, or with null labels, gets them whole', () => {
  const pi = config({ isPodIdentityAssociated: () => true, random: () => 0 })
  const noMeta: Pod = { spec: { containers: [] } }
  assert.deepEqual(mutatePod(noMeta, sa(), pi).patch[0], {
    op: 'add',
    path: '/metadata',
    value: { labels: { 'eks.amazonaws.com/pod-identity': 'enabled' } },
  })
  const nullLabels = pod({ containers: [] }, { labels: null })
  assert.deepEqual(mutatePod(nullLabels, sa(), pi).patch[0], {
    op: 'add',
    path: '/metadata/labels',
    value: { 'eks.amazonaws.com/pod-identity': 'enabled' },
  })
  const otherValue = pod({ containers: [] }, { labels: { 'eks.amazonaws.com/pod-identity': 'no' } })
  assert.deepEqual(mutatePod(otherValue, sa(), pi).patch[0], {
    op: 'add',
    path: '/metadata/labels/eks.amazonaws.com~1pod-identity',
    value: 'enabled',
  })
})

test("the reference's role ARN check: partitions, paths and IAM's name characters pass", () => {
  const warns = (arn: string) =>
    mutatePod(pod({ containers: [] }), sa({ 'eks.amazonaws.com/role-arn': arn }), config()).warnings
  for (const ok of [
    ROLE,
    'arn:aws-cn:iam::111122223333:role/a',
    'arn:aws-us-gov:iam::111122223333:role/path/to/name',
    'arn:aws:iam::111122223333:role/a_b-c.d@e+f=g,h',
  ]) {
    assert.deepEqual(warns(ok), [], ok)
  }
  for (const bad of [
    'arn:aws:iam::11112222333:role/a',
    'arn:aws:iam::111122223333:user/a',
    'arn:aws:sts::111122223333:role/a',
    'arn:aws:iam::111122223333:role/',
    'arn:aws:iam::111122223333:role/a b',
    `${ROLE}\n`,
  ]) {
    assert.equal(warns(bad).length, 1, JSON.stringify(bad))
  }
})

test('session name: too short or no name at all is skipped with a warning, once, when injected', () => {
  const on = config({ roleSessionName: true })
  const short = mutatePod(
    pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { name: 'w' }),
    sa(),
    on,
  )
  assert.deepEqual(short.warnings, [
    'pod name "w" is shorter than the 2 characters STS needs for a session name; AWS_ROLE_SESSION_NAME was not injected',
  ])
  const out = applyJsonPatch(
    pod({ containers: [{ name: 'a' }] }, { name: 'w' }),
    mutatePod(pod({ containers: [{ name: 'a' }] }, { name: 'w' }), sa(), on).patch,
  ) as Pod
  assert.ok(!out.spec?.containers?.[0]?.env?.some((e) => e.name === 'AWS_ROLE_SESSION_NAME'))
  const nameless = mutatePod(pod({ containers: [{ name: 'a' }] }, { name: undefined }), sa(), on)
  assert.deepEqual(nameless.warnings, [
    'the pod has no name; AWS_ROLE_SESSION_NAME was not injected',
  ])
  // Nothing injected (all containers skipped): no warning about a name nobody gets.
  const skipped = mutatePod(
    pod(
      { containers: [{ name: 'a' }] },
      { name: 'w', annotations: { 'eks.amazonaws.com/skip-containers': 'a' } },
    ),
    sa(),
    on,
  )
  assert.deepEqual(skipped.warnings, [])
  // Pod Identity does not use session names.
  const pi = mutatePod(
    pod({ containers: [{ name: 'a' }] }, { name: 'w' }),
    sa(),
    config({ roleSessionName: true, isPodIdentityAssociated: () => true, random: () => 0 }),
  )
  assert.deepEqual(pi.warnings, [])
})

test('the envFrom resolver is asked about each source with its namespace, kind and name', () => {
  const asked: (EnvFromSourceRef & { ns: string })[] = []
  mutatePod(
    pod({
      containers: [
        {
          name: 'web',
          envFrom: [
            { configMapRef: { name: 'a' } },
            { prefix: 'X_', secretRef: { name: 'b', optional: true } },
            { configMapRef: { name: 'c' }, secretRef: { name: 'd' } },
            'junk',
          ],
        },
      ],
    }),
    sa(),
    config({
      resolveEnvFrom: (ns, s) => {
        asked.push({ ns, ...s })
        return []
      },
    }),
  )
  assert.deepEqual(asked, [
    { ns: 'shop', kind: 'ConfigMap', name: 'a', optional: false },
    { ns: 'shop', kind: 'Secret', name: 'b', optional: true },
    { ns: 'shop', kind: 'ConfigMap', name: 'c', optional: false },
    { ns: 'shop', kind: 'Secret', name: 'd', optional: false },
  ])
})

test('an envFrom source known to be empty does not warn and does not block anything', () => {
  const r = mutatePod(
    pod({ containers: [{ name: 'web', envFrom: [{ configMapRef: { name: 'a' } }] }] }),
    sa(),
    config({ defaultRegion: 'eu-west-1', resolveEnvFrom: () => [] }),
  )
  assert.deepEqual(r.warnings, [])
  assert.equal((r.patch[1] as { value: unknown[] }).value.length, 4)
})

// ---- properties over generated pods ----

const NAMES = [
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_STS_REGIONAL_ENDPOINTS',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'OTHER',
]

const containerArb = (name: string) =>
  fc.record(
    {
      name: fc.constant(name),
      image: fc.constant('img'),
      env: fc
        .uniqueArray(fc.constantFrom(...NAMES), { maxLength: 4 })
        .map((ns) => ns.map((n) => ({ name: n, value: 'user' }))),
      envFrom: fc.array(
        fc.record({
          prefix: fc.constantFrom('', 'AWS_', 'APP_'),
          configMapRef: fc.record({ name: fc.constantFrom('k', 'u') }),
        }),
        { maxLength: 2 },
      ),
      volumeMounts: fc.array(
        fc.record({
          name: fc.constantFrom('aws-iam-token', 'eks-pod-identity-token', 'data'),
          mountPath: fc.constantFrom('/a', '/b'),
        }),
        { maxLength: 2 },
      ),
      restartPolicy: fc.constant('Always'),
      futureField: fc.jsonValue(),
    },
    { requiredKeys: ['name', 'image'], noNullPrototype: true },
  )

const podArb = fc.record({
  containers: fc
    .array(fc.nat(), { minLength: 1, maxLength: 3 })
    .chain((xs) => fc.tuple(...xs.map((_, i) => containerArb(`c${i}`)))),
  initContainers: fc
    .array(fc.nat(), { maxLength: 2 })
    .chain((xs) => fc.tuple(...xs.map((_, i) => containerArb(`i${i}`)))),
  withVolumes: fc.boolean(),
  windows: fc.boolean(),
  skip: fc.subarray(['c0', 'i0', 'nope']),
  generateName: fc.boolean(),
  fsGroup: fc.option(fc.constant(7), { nil: undefined }),
})

const optionsArb = fc.record({
  defaultRegion: fc.constantFrom('', 'eu-west-1'),
  stsRegionalEndpoint: fc.boolean(),
  roleSessionName: fc.boolean(),
  fsGroup: fc.option(fc.constant(65534), { nil: undefined }),
  unresolvedEnvFrom: fc.constantFrom('override' as const, 'keep' as const),
  podIdentity: fc.boolean(),
  serviceAccount: fc.constantFrom('role', 'no-role', 'missing'),
})

test('property: the patch only adds, keeps every field, and a second mutation adds nothing', () => {
  fc.assert(
    fc.property(podArb, optionsArb, (g, o) => {
      // Through JSON, as a pod arrives in an AdmissionReview.
      const built: Pod = {
        metadata: {
          namespace: 'shop',
          ...(g.generateName ? { generateName: 'web-' } : { name: 'web-0' }),
          annotations: g.skip.length
            ? { 'eks.amazonaws.com/skip-containers': g.skip.join(',') }
            : {},
        },
        spec: {
          serviceAccountName: 'app',
          containers: g.containers,
          ...(g.initContainers.length ? { initContainers: g.initContainers } : {}),
          ...(g.withVolumes ? { volumes: [{ name: 'data', emptyDir: {} }] } : {}),
          ...(g.windows ? { nodeSelector: { 'kubernetes.io/os': 'windows' } } : {}),
          ...(g.fsGroup === undefined ? {} : { securityContext: { fsGroup: g.fsGroup } }),
        },
      }
      const p = JSON.parse(JSON.stringify(built)) as Pod
      const account =
        o.serviceAccount === 'missing'
          ? undefined
          : sa(o.serviceAccount === 'role' ? { 'eks.amazonaws.com/role-arn': ROLE } : {})
      const c = config({
        ...o,
        isPodIdentityAssociated: () => o.podIdentity,
        random: () => 0.25,
        resolveEnvFrom: (_ns, s) => (s.name === 'k' ? ['AWS_REGION'] : undefined),
      })
      const before = structuredClone(p)
      const r = mutatePod(p, account, c)
      assert.deepEqual(p, before)
      assert.ok(r.patch.every((op) => op.op === 'add'))
      const out = applyJsonPatch(p, r.patch) as Pod
      // Every original container field is still there; env and mounts only grew at the end.
      for (const list of ['containers', 'initContainers'] as const) {
        const a = p.spec?.[list] ?? []
        const b = out.spec?.[list] ?? []
        assert.equal(b.length, a.length)
        a.forEach((orig, i) => {
          const now = b[i]!
          for (const [k, v] of Object.entries(orig)) {
            if (k === 'env' || k === 'volumeMounts') {
              assert.deepEqual((now[k] as unknown[]).slice(0, (v as unknown[]).length), v)
            } else assert.deepEqual(now[k], v, k)
          }
          const names = (now.env ?? []).map((e) => e.name)
          assert.equal(new Set(names).size, names.length, 'an env name appears twice')
        })
      }
      if (g.fsGroup !== undefined) assert.equal(out.spec?.securityContext?.fsGroup, g.fsGroup)
      const again = mutatePod(out, account, c)
      assert.deepEqual(again.patch, [])
      assert.equal(again.outcome, r.outcome === 'mutated' ? 'unchanged' : r.outcome)
      // Deterministic: the same input gives the same answer.
      assert.deepEqual(mutatePod(p, account, c), r)
    }),
    { numRuns: 300 },
  )
})

test('warnings quote user values (no forged lines) and stay within 256 characters', () => {
  const evil = 'x"\nWarning: all good\u0007' + 'y'.repeat(300)
  const r = mutatePod(
    pod(
      { containers: [{ name: 'web' }] },
      { annotations: { 'eks.amazonaws.com/skip-containers': evil } },
    ),
    sa({ 'eks.amazonaws.com/role-arn': evil }),
    config(),
  )
  assert.equal(r.warnings.length, 2)
  for (const w of r.warnings) {
    assert.ok(!/[\p{Cc}]/u.test(w), w)
    assert.ok(w.length <= MAX_WARNING_LENGTH, `${w.length}`)
  }
  assert.ok(r.warnings[0]!.includes('"x\\"\\nWarning: all good\\u0007yyy'))
  // The role is still used as annotated, as the reference does.
  const out = applyJsonPatch(pod({ containers: [{ name: 'web' }] }), r.patch) as Pod
  assert.equal(out.spec!.containers![0]!.env![0]!.value, evil)
})

test('--compose-role-arn leaves full ARNs alone and composes before the ARN check', () => {
  const c = config({ composeRoleArn: { accountId: '111122223333', partition: 'aws' } })
  const roleOf = (value: string) => {
    const p = pod({ containers: [{ name: 'web' }] })
    const r = mutatePod(p, sa({ 'eks.amazonaws.com/role-arn': value }), c)
    return [
      (applyJsonPatch(p, r.patch) as Pod).spec!.containers![0]!.env![0]!.value,
      r.warnings.length,
    ]
  }
  assert.deepEqual(roleOf('shop'), ['arn:aws:iam::111122223333:role/shop', 0])
  assert.deepEqual(roleOf('arn:aws:iam::444455556666:role/x'), [
    'arn:aws:iam::444455556666:role/x',
    0,
  ])
  assert.deepEqual(roleOf('bad name'), ['arn:aws:iam::111122223333:role/bad name', 1])
})

test('an empty audience annotation is ignored with a warning; a set one wins over the flag', () => {
  const audienceOf = (annotations: Record<string, string>) => {
    const r = mutatePod(
      pod({ containers: [] }),
      sa({ 'eks.amazonaws.com/role-arn': ROLE, ...annotations }),
      config({ tokenAudience: 'flag-aud' }),
    )
    const out = applyJsonPatch(pod({ containers: [] }), r.patch) as {
      spec: {
        volumes: [{ projected: { sources: [{ serviceAccountToken: { audience: string } }] } }]
      }
    }
    return [out.spec.volumes[0].projected.sources[0].serviceAccountToken.audience, r.warnings]
  }
  assert.deepEqual(audienceOf({}), ['flag-aud', []])
  assert.deepEqual(audienceOf({ 'eks.amazonaws.com/audience': 'sa-aud' }), ['sa-aud', []])
  assert.deepEqual(audienceOf({ 'eks.amazonaws.com/audience': '' }), [
    'flag-aud',
    ['ServiceAccount shop/app eks.amazonaws.com/audience is empty; flag-aud is used'],
  ])
})
