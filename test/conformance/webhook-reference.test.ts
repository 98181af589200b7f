/**
 * Conformance with the reference webhook (aws/amazon-eks-pod-identity-webhook): its 24
 * fixtures, read in place from ../shared (never copied), judged by the pod each patch
 * produces (../shared/conformance/pod-identity-webhook/README.md), configured exactly as
 * the reference's harness configures them (research/webhook-anchor.md §7).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { parse } from 'yaml'
import { sharedDir } from '../helpers/paths.js'
import {
  applyJsonPatch,
  createMutationConfig,
  mutatePod,
  parseJsonPatch,
} from '../../src/webhook/index.js'
import type {
  JsonPatchOperation,
  JsonValue,
  MutationOptions,
  Pod,
  ServiceAccount,
} from '../../src/webhook/index.js'

const FIXTURES = join(sharedDir, 'conformance', 'pod-identity-webhook', 'testdata')
const EXPECTED_FIXTURES = 24
const T = 'testing.eks.amazonaws.com/'

/**
 * Where our resulting pod deliberately differs from the reference's. Each entry is the
 * JSON Patch that turns our pod into the reference's: its `test` operations must hold on
 * ours and fail on the reference's, so the difference is real and nothing else differs.
 */
const DIFFERENCES: readonly {
  fixture: string
  reason: string
  oursToReference: JsonPatchOperation[]
}[] = [
  {
    fixture: 'rawPodHasVolumeMount.pod.yaml',
    reason:
      'the input mount has a field the Pod API does not know (`path`); the reference rebuilds ' +
      'the container from Go structs and drops it (leaving mountPath ""); we never rebuild a ' +
      'container, so it is kept (reference #208: unknown fields must survive)',
    oursToReference: [
      { op: 'test', path: '/spec/containers/0/volumeMounts/0/path', value: '/path/to/token' },
      { op: 'remove', path: '/spec/containers/0/volumeMounts/0/path' },
    ],
  },
]

/** Every harness annotation the reference's TestUpdatePodSpec reads. */
const HARNESS_KEYS = new Set(
  [
    'skip',
    'expectedPatch',
    'serviceAccount/roleArn',
    'serviceAccount/audience',
    'serviceAccount/sts-regional-endpoints',
    'serviceAccount/token-expiration',
    'handler/injectSTS',
    'handler/expiration',
    'handler/region',
    'handler/mountPath',
    'containercredentials/uri',
    'containercredentials/audience',
    'containercredentials/mountPath',
    'containercredentials/volumeName',
    'containercredentials/tokenPath',
  ].map((k) => T + k),
)

type Rec = Record<string, unknown>
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v)

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(p)
  }
  return out
}

interface Case {
  name: string
  skip: boolean
  input: Pod
  serviceAccount: ServiceAccount
  options: MutationOptions
  expectedPatch: JsonPatchOperation[]
}

/** Builds the harness of pkg/handler/handler_pod_test.go for one fixture. */
function loadCase(file: string): Case {
  // Duplicate keys are allowed, the last one wins (rawPodWithInitContainer repeats one).
  const pod = parse(readFileSync(file, 'utf8'), { uniqueKeys: false }) as Pod
  const meta = pod.metadata ?? {}
  const all = meta.annotations ?? {}
  const harness = new Map<string, string>()
  const kept: Record<string, string> = {}
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith(T)) {
      assert.ok(HARNESS_KEYS.has(k), `${file}: unknown harness annotation ${k}`)
      harness.set(k, v)
    } else kept[k] = v
  }
  const expectedText = harness.get(T + 'expectedPatch')
  assert.ok(expectedText !== undefined, `${file}: no expectedPatch`)

  // The fake ServiceAccount default/default is always present.
  const sa: Record<string, string> = {
    'eks.amazonaws.com/audience': harness.get(T + 'serviceAccount/audience') ?? 'sts.amazonaws.com',
  }
  const role = harness.get(T + 'serviceAccount/roleArn')
  if (role !== undefined) sa['eks.amazonaws.com/role-arn'] = role
  const sts =
    harness.get(T + 'serviceAccount/sts-regional-endpoints') ?? harness.get(T + 'handler/injectSTS')
  if (sts !== undefined) sa['eks.amazonaws.com/sts-regional-endpoints'] = sts
  const expiration =
    harness.get(T + 'serviceAccount/token-expiration') ?? harness.get(T + 'handler/expiration')
  if (expiration !== undefined) {
    // The fake does not clamp to 600, our ServiceAccount annotations do: say so if it matters.
    assert.ok(Number(expiration) >= 600, `${file}: SA expiration ${expiration} < 600`)
    sa['eks.amazonaws.com/token-expiration'] = expiration
  }

  let options: MutationOptions = { random: () => 0 } // zeroRand: jitter gives 79200
  const region = harness.get(T + 'handler/region')
  if (region !== undefined) options = { ...options, defaultRegion: region }
  const mountPath = harness.get(T + 'handler/mountPath')
  if (mountPath !== undefined) options = { ...options, tokenMountPath: mountPath }
  const uri = harness.get(T + 'containercredentials/uri') ?? ''
  if (uri !== '') {
    const cc = (k: string): string => harness.get(T + 'containercredentials/' + k) ?? ''
    options = {
      ...options,
      containerCredentials: {
        fullUri: uri,
        audience: cc('audience'),
        mountPath: cc('mountPath'),
        volumeName: cc('volumeName'),
        tokenPath: cc('tokenPath'),
      },
      isPodIdentityAssociated: (ns, name) => ns === 'default' && name === 'default',
    }
  }

  const input: Pod = {
    ...pod,
    metadata: { ...meta, namespace: 'default', annotations: kept },
    spec: { ...pod.spec, serviceAccountName: 'default' },
  }
  return {
    name: relative(FIXTURES, file).split(sep).join('/'),
    skip: harness.get(T + 'skip') === 'true',
    input,
    serviceAccount: { metadata: { name: 'default', namespace: 'default', annotations: sa } },
    options,
    expectedPatch: parseJsonPatch(JSON.parse(expectedText)),
  }
}

/**
 * Removes what the reference's Go serialisation added and the input did not have: nulls
 * (`"service":null`), empty objects (`"resources":{}`) and `"mountPath":""`. The expected
 * pod is walked alongside the input, so anything the input itself had is kept.
 */
function dropArtefacts(expected: unknown, input: unknown): void {
  if (Array.isArray(expected)) {
    expected.forEach((e, i) => {
      dropArtefacts(e, Array.isArray(input) ? input[i] : undefined)
    })
    return
  }
  if (!isRecord(expected)) return
  const source = isRecord(input) ? input : {}
  for (const [k, v] of Object.entries(expected)) {
    const artefact =
      v === null || (isRecord(v) && Object.keys(v).length === 0) || (k === 'mountPath' && v === '')
    if (!(k in source) && artefact) Reflect.deleteProperty(expected, k)
    else dropArtefacts(v, source[k])
  }
}

const present = existsSync(FIXTURES)
if (!present) {
  const why = `SKIPPED: reference webhook fixtures not found at ${FIXTURES} (they are in ../shared in CI; IRSA_SHARED_DIR points elsewhere)`
  if (process.env['CI'] === 'true') {
    test('reference webhook fixtures are present', () => {
      assert.fail(`${why}; they are required when CI=true`)
    })
  } else {
    console.warn(`\n*** ${why} ***\n`)
    test('reference webhook fixtures', { skip: why }, () => undefined)
  }
} else {
  const files = walk(FIXTURES)

  test(`the reference fixture folder has exactly ${EXPECTED_FIXTURES} fixtures`, () => {
    assert.notEqual(files.length, 0, `no fixtures in ${FIXTURES}`)
    assert.equal(files.length, EXPECTED_FIXTURES)
  })

  test('every listed difference names a fixture that exists', () => {
    const names = new Set(files.map((f) => relative(FIXTURES, f).split(sep).join('/')))
    for (const d of DIFFERENCES) assert.ok(names.has(d.fixture), d.fixture)
  })

  for (const file of files) {
    const c = loadCase(file)
    test(`reference fixture ${c.name}`, { skip: c.skip ? 'the fixture says skip' : false }, () => {
      const expected = applyJsonPatch(c.input, c.expectedPatch)
      dropArtefacts(expected, c.input)

      const config = createMutationConfig(c.options)
      const result = mutatePod(c.input, c.serviceAccount, config)
      assert.equal(result.outcome, 'mutated')
      for (const op of result.patch) {
        assert.ok(
          !/^\/spec\/(initContainers|containers)$/.test(op.path),
          `whole container list replaced: ${op.path}`,
        )
      }
      let ours: JsonValue = applyJsonPatch(c.input, result.patch)

      const difference = DIFFERENCES.find((d) => d.fixture === c.name)
      if (difference !== undefined) {
        const tests = difference.oursToReference.filter((op) => op.op === 'test')
        assert.throws(() => applyJsonPatch(expected, tests), 'the listed difference is not real')
        ours = applyJsonPatch(ours, difference.oursToReference)
      }
      assert.deepEqual(ours, expected)

      // Reinvocation: the mutated pod needs nothing more.
      const again = mutatePod(
        applyJsonPatch(c.input, result.patch) as Pod,
        c.serviceAccount,
        config,
      )
      assert.deepEqual(again.patch, [])
      assert.equal(again.outcome, 'unchanged')
    })
  }
}
