/**
 * Our own webhook cases (test/fixtures/webhook/*.yaml, one per file): the improvements
 * over the reference and the pods it mangles. Every case is also checked for the
 * invariants of the design: the patch only adds, never replaces a container list, leaves
 * its input untouched, and mutating its result again yields no operation.
 *
 * Case format (unknown keys fail the case):
 *
 *   description: one line
 *   config: { annotationPrefix, tokenAudience, tokenMountPath, tokenExpiration,
 *             defaultRegion, stsRegionalEndpoint, roleSessionName, fsGroup,
 *             unresolvedEnvFrom, containerCredentials: {…}, random: 0..1,
 *             podIdentityAssociations: [ns/name], envFromKeys: {Kind/ns/name: [keys]},
 *             composeRoleArn: { accountId, partition } }
 *   serviceAccount: a ServiceAccount, or null when it does not exist
 *   pod: the pod under admission
 *   expected:
 *     outcome: mutated | unchanged | no-identity | service-account-missing
 *     mode: irsa | pod-identity (optional)
 *     warnings: one substring per warning, in order ([] = none)
 *     pod: the pod after our patch (and/or)
 *     patch: the exact patch
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { repoPath } from '../helpers/paths.js'
import {
  applyJsonPatch,
  createMutationConfig,
  mutatePod,
  parseJsonPatch,
} from '../../src/webhook/index.js'
import type {
  ContainerCredentialsConfig,
  MutationOptions,
  Pod,
  ServiceAccount,
} from '../../src/webhook/index.js'

const DIR = repoPath('test', 'fixtures', 'webhook')

type Rec = Record<string, unknown>
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v)

function onlyKeys(where: string, obj: Rec, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) assert.ok(allowed.includes(k), `${where}: unknown key ${k}`)
}

function record(where: string, v: unknown): Rec {
  assert.ok(isRecord(v), `${where} must be a mapping`)
  return v
}

function scalar(where: string, v: unknown, type: 'string' | 'number' | 'boolean'): unknown {
  assert.equal(typeof v, type, `${where} must be a ${type}`)
  return v
}

function text(where: string, v: unknown): string {
  assert.ok(typeof v === 'string', `${where} must be a string`)
  return v
}

const SCALARS = {
  annotationPrefix: 'string',
  tokenAudience: 'string',
  tokenMountPath: 'string',
  tokenExpiration: 'number',
  defaultRegion: 'string',
  stsRegionalEndpoint: 'boolean',
  roleSessionName: 'boolean',
  fsGroup: 'number',
  unresolvedEnvFrom: 'string',
} as const

const CC_KEYS = ['fullUri', 'audience', 'mountPath', 'volumeName', 'tokenPath'] as const

function options(where: string, raw: unknown): MutationOptions {
  if (raw === undefined) return {}
  const c = record(where, raw)
  onlyKeys(where, c, [
    ...Object.keys(SCALARS),
    'containerCredentials',
    'podIdentityAssociations',
    'random',
    'envFromKeys',
    'composeRoleArn',
  ])
  const out: Record<string, unknown> = {}
  for (const [k, type] of Object.entries(SCALARS)) {
    if (c[k] !== undefined) out[k] = scalar(`${where}.${k}`, c[k], type)
  }
  if (c['containerCredentials'] !== undefined) {
    const cc = record(`${where}.containerCredentials`, c['containerCredentials'])
    onlyKeys(`${where}.containerCredentials`, cc, CC_KEYS)
    const v: Partial<Record<keyof ContainerCredentialsConfig, string>> = {}
    for (const k of CC_KEYS) if (cc[k] !== undefined) v[k] = text(k, cc[k])
    out['containerCredentials'] = v
  }
  if (c['podIdentityAssociations'] !== undefined) {
    const list = c['podIdentityAssociations']
    assert.ok(Array.isArray(list), `${where}.podIdentityAssociations must be a list`)
    const set = new Set(list.map((x) => text('association', x)))
    out['isPodIdentityAssociated'] = (ns: string, name: string) => set.has(`${ns}/${name}`)
  }
  if (c['composeRoleArn'] !== undefined) {
    const compose = record(`${where}.composeRoleArn`, c['composeRoleArn'])
    onlyKeys(`${where}.composeRoleArn`, compose, ['accountId', 'partition'])
    out['composeRoleArn'] = {
      accountId: text('accountId', compose['accountId']),
      partition: text('partition', compose['partition']),
    }
  }
  if (c['random'] !== undefined) {
    const r = c['random']
    assert.ok(typeof r === 'number', `${where}.random must be a number`)
    out['random'] = () => r
  } else {
    out['random'] = () => assert.fail('this case must not draw a random number')
  }
  if (c['envFromKeys'] !== undefined) {
    const known = new Map<string, string[]>()
    for (const [k, v] of Object.entries(record(`${where}.envFromKeys`, c['envFromKeys']))) {
      assert.ok(/^(ConfigMap|Secret)\/[^/]+\/[^/]+$/.test(k), `${where}.envFromKeys: bad key ${k}`)
      assert.ok(Array.isArray(v), `${where}.envFromKeys.${k} must be a list`)
      known.set(
        k,
        v.map((x) => text(k, x)),
      )
    }
    out['resolveEnvFrom'] = (ns: string, s: { kind: string; name: string }) =>
      known.get(`${s.kind}/${ns}/${s.name}`)
  }
  return out
}

interface Case {
  file: string
  description: string
  options: MutationOptions
  serviceAccount: ServiceAccount | undefined
  pod: Pod
  outcome: string
  mode: string | undefined
  warnings: string[]
  expectedPod: unknown
  expectedPatch: unknown
}

function load(file: string): Case {
  const doc = record(file, parse(readFileSync(`${DIR}/${file}`, 'utf8')))
  onlyKeys(file, doc, ['description', 'config', 'serviceAccount', 'pod', 'expected'])
  assert.ok('serviceAccount' in doc, `${file}: serviceAccount is required (null = missing)`)
  const expected = record(`${file}: expected`, doc['expected'])
  onlyKeys(`${file}: expected`, expected, ['outcome', 'mode', 'warnings', 'pod', 'patch'])
  assert.ok(Array.isArray(expected['warnings']), `${file}: expected.warnings is required`)
  assert.ok(
    expected['pod'] !== undefined || expected['patch'] !== undefined,
    `${file}: expected needs a pod or a patch`,
  )
  const sa = doc['serviceAccount']
  return {
    file,
    description: text(`${file}: description`, doc['description']),
    options: options(`${file}: config`, doc['config']),
    serviceAccount: sa === null ? undefined : record(`${file}: serviceAccount`, sa),
    pod: record(`${file}: pod`, doc['pod']),
    outcome: text(`${file}: expected.outcome`, expected['outcome']),
    mode: expected['mode'] === undefined ? undefined : text('mode', expected['mode']),
    warnings: (expected['warnings'] as unknown[]).map((w) => text('warning', w)),
    expectedPod: expected['pod'],
    expectedPatch: expected['patch'],
  }
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()

test('the webhook fixture folder is not empty', () => {
  assert.ok(files.length > 0, `no cases in ${DIR}`)
})

for (const file of files) {
  const c = load(file)
  test(`${file}: ${c.description}`, () => {
    const config = createMutationConfig(c.options)
    const before = structuredClone(c.pod)
    const result = mutatePod(c.pod, c.serviceAccount, config)
    assert.deepEqual(c.pod, before, 'mutatePod changed its input')

    assert.equal(result.outcome, c.outcome)
    assert.equal(result.mode, c.mode ?? result.mode)
    assert.equal(
      result.warnings.length,
      c.warnings.length,
      `warnings:\n  ${result.warnings.join('\n  ')}`,
    )
    c.warnings.forEach((w, i) => {
      assert.ok(result.warnings[i]?.includes(w), `warning ${i}: ${result.warnings[i]} lacks ${w}`)
    })
    if (c.expectedPatch !== undefined) {
      assert.deepEqual(result.patch, parseJsonPatch(c.expectedPatch))
    }
    for (const op of result.patch) {
      assert.equal(op.op, 'add', `${op.path}: the mutation only adds`)
      assert.ok(
        !/^\/spec\/(initContainers|containers)$/.test(op.path),
        `${op.path} replaces a list`,
      )
    }
    if (result.outcome !== 'mutated') assert.deepEqual(result.patch, [])

    const after = applyJsonPatch(c.pod, result.patch) as Pod
    if (c.expectedPod !== undefined) assert.deepEqual(after, c.expectedPod)

    const again = mutatePod(after, c.serviceAccount, config)
    assert.deepEqual(again.patch, [], 'not idempotent: reinvocation patches again')
    assert.equal(again.outcome, result.outcome === 'mutated' ? 'unchanged' : result.outcome)
  })
}
