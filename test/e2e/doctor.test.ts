/**
 * E2E: `irsa doctor` against a fresh `irsa up`, driven through bash after `source .irsa/env`
 * as a user types it, with the real kubectl and AWS CLI making the setup and the oracles:
 * a healthy ServiceAccount and pod pass (exit 0); a trust policy whose `:sub` names another
 * namespace fails `trust.conditions` with both values, and the printed fix, run as printed,
 * makes doctor pass and the real AssumeRoleWithWebIdentity succeed; `--token --role-arn`
 * needs no cluster; `--request-id` explains a call STS refused.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ok, sh } from '../helpers/user-shell.js'
import { awsCli, oracle } from '../helpers/tools.js'
import { startUp, stopUp, tempDir, TEST_ACCOUNT_ID } from './up-process.js'

const kubectl = (): { skip: string | false } =>
  oracle('kubectl', ['kubectl', 'version', '--client'])

const ROLE = 'irsa-local-default-app'
const ROLE_ARN = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${ROLE}`

/** The contract's check names, in chain order (/tmp/doctor-contract.md, docs/doctor.md). */
const CHAIN = [
  'serviceaccount.exists',
  'serviceaccount.role-arn',
  'webhook.installed',
  'pod.mutated',
  'pod.after-annotation',
  'pod.own-aws-env',
  'pod.token-readable',
  'token.decodes',
  'token.not-expired',
  'token.audience',
  'token.issuer',
  'issuer.discovery',
  'issuer.jwks',
  'provider.exists',
  'provider.audience',
  'provider.thumbprint',
  'provider.quota',
  'role.exists',
  'trust.federated',
  'trust.conditions',
  'trust.size',
  'role.duration',
  'region.sts',
  'live.assume',
]

interface Report {
  readonly healthy: boolean
  readonly start: { readonly kind: string }
  readonly checks: readonly {
    readonly name: string
    readonly status: string
    readonly summary: string
    readonly evidence: Record<string, unknown>
    readonly fix: string | null
  }[]
  readonly firstFailure: string | null
}

/** `irsa doctor ARGS --output json`: the exit code and the parsed report. */
async function doctor(work: string, args: string): Promise<{ code: number; report: Report }> {
  const r = await sh(work, `irsa doctor ${args} --output json`)
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`)
  assert.equal(r.stderr, '', 'nothing on stderr')
  return { code: r.code, report: JSON.parse(r.stdout) as Report }
}

const checkOf = (r: Report, name: string) => {
  const c = r.checks.find((x) => x.name === name)
  assert.ok(c !== undefined, `no check ${name}`)
  return c
}

/** A trust policy like eksctl's whose `:sub` names `namespace`/`name`. */
async function trustFor(work: string, namespace: string, name = 'app'): Promise<void> {
  await ok(
    work,
    `ISS=$(aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text)
U=\${ISS#https://}
aws iam update-assume-role-policy --role-name ${ROLE} --policy-document "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Principal\\":{\\"Federated\\":\\"arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/$U\\"},\\"Action\\":\\"sts:AssumeRoleWithWebIdentity\\",\\"Condition\\":{\\"StringEquals\\":{\\"$U:sub\\":\\"system:serviceaccount:${namespace}:${name}\\",\\"$U:aud\\":\\"sts.amazonaws.com\\"}}}]}"`,
  )
}

test('irsa doctor diagnoses IRSA against irsa up', { timeout: 600_000 }, async (t) => {
  for (const o of [kubectl(), awsCli()])
    if (o.skip !== false) {
      t.skip(o.skip)
      return
    }
  const work = tempDir(t, 'irsa-doctor-')
  mkdirSync(join(work, 'home'))
  const up = await startUp(join(work, '.irsa'))
  t.after(() => stopUp(up, 'SIGKILL'))
  writeFileSync(
    join(work, 'pod.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: default\nspec:\n  serviceAccountName: app\n  containers:\n    - name: main\n      image: amazon/aws-cli\n',
  )
  await ok(
    work,
    `irsa utils associate-iam-oidc-provider --cluster local --approve > /dev/null
aws iam create-policy --policy-name s3-read --policy-document \\
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' > /dev/null
irsa create iamserviceaccount --cluster local --name app --attach-policy-arn arn:aws:iam::${TEST_ACCOUNT_ID}:policy/s3-read --approve > /dev/null
kubectl apply -f pod.yaml > /dev/null`,
  )

  // Independent runs go side by side: the file must stay within the runner's 120 s.
  await t.test('a healthy ServiceAccount and pod pass every check (exit 0)', async () => {
    const [sa, pod] = await Promise.all([
      doctor(work, '--namespace default --service-account app --live'),
      doctor(work, '--namespace default --pod web'),
    ])
    assert.equal(sa.code, 0, JSON.stringify(sa.report.checks.filter((c) => c.status !== 'pass')))
    assert.equal(sa.report.healthy, true)
    assert.equal(sa.report.firstFailure, null)
    assert.deepEqual(sa.report.start, {
      kind: 'serviceAccount',
      namespace: 'default',
      serviceAccount: 'app',
    })
    assert.deepEqual(
      sa.report.checks.map((c) => c.name),
      CHAIN,
    )
    assert.equal(checkOf(sa.report, 'live.assume').status, 'pass')
    assert.equal(pod.code, 0, JSON.stringify(pod.report.checks.filter((c) => c.status !== 'pass')))
    for (const c of pod.report.checks)
      assert.equal(
        c.status,
        c.name === 'live.assume' ? 'skipped' : 'pass',
        `${c.name}: ${c.summary}`,
      )
    assert.equal(checkOf(pod.report, 'webhook.installed').evidence['failurePolicy'], 'Fail')
  })

  await t.test(
    ':sub naming the wrong namespace fails trust.conditions; the printed fix cures it',
    async () => {
      await trustFor(work, 'prod')
      const [r, text, before] = await Promise.all([
        doctor(work, '--namespace default --service-account app'),
        sh(work, 'irsa doctor --namespace default --service-account app'),
        // The real STS agrees before the fix (and after it, below).
        sh(
          work,
          `kubectl create token app --audience sts.amazonaws.com > tok
aws sts assume-role-with-web-identity --role-arn ${ROLE_ARN} --role-session-name e2e --web-identity-token file://tok`,
        ),
      ])
      assert.match(before.stderr, /AccessDenied/)
      assert.equal(r.code, 1)
      assert.equal(r.report.firstFailure, 'trust.conditions')
      const c = checkOf(r.report, 'trust.conditions')
      assert.equal(c.status, 'fail')
      assert.deepEqual(c.evidence['expected'], ['system:serviceaccount:prod:app'])
      assert.deepEqual(c.evidence['presented'], ['system:serviceaccount:default:app'])
      assert.equal(c.evidence['slip'], 'wrong-namespace')
      assert.ok(c.fix !== null)
      assert.match(
        c.fix,
        new RegExp(`^aws iam update-assume-role-policy --role-name ${ROLE} --policy-document '`),
      )
      // The text output shows both values and the same fix.
      assert.equal(text.code, 1)
      assert.match(text.stdout, /^ {4}expected: \["system:serviceaccount:prod:app"\]$/m)
      assert.match(text.stdout, /^ {4}presented: \["system:serviceaccount:default:app"\]$/m)
      assert.ok(text.stdout.includes(`    ${c.fix}\n`), text.stdout)
      await ok(work, c.fix)
      const [after] = await Promise.all([
        doctor(work, '--namespace default --service-account app'),
        ok(
          work,
          `aws sts assume-role-with-web-identity --role-arn ${ROLE_ARN} --role-session-name e2e --web-identity-token file://tok > /dev/null`,
        ),
      ])
      assert.equal(
        after.code,
        0,
        JSON.stringify(after.report.checks.filter((x) => x.status === 'fail')),
      )
    },
  )

  await t.test('--token --role-arn needs no cluster', async () => {
    const [r, missing, bad] = await Promise.all([
      doctor(work, `--token tok --role-arn ${ROLE_ARN} --kubeconfig /nonexistent`),
      doctor(work, `--token tok --role-arn arn:aws:iam::${TEST_ACCOUNT_ID}:role/nope`),
      sh(work, 'irsa doctor --token missing-file --role-arn x'),
    ])
    assert.equal(r.code, 0, JSON.stringify(r.report.checks.filter((c) => c.status === 'fail')))
    assert.equal(checkOf(r.report, 'serviceaccount.exists').status, 'skipped')
    for (const n of ['token.decodes', 'issuer.jwks', 'provider.exists', 'trust.conditions'])
      assert.equal(checkOf(r.report, n).status, 'pass', n)
    assert.equal(missing.code, 1)
    assert.equal(missing.report.firstFailure, 'role.exists')
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^irsa: /)
  })

  await t.test(
    '--request-id explains a refused AssumeRoleWithWebIdentity and its fix',
    async () => {
      await trustFor(work, 'app', 'default')
      const denied = await sh(
        work,
        `aws sts assume-role-with-web-identity --role-arn ${ROLE_ARN} --role-session-name e2e --web-identity-token file://tok`,
      )
      assert.match(denied.stderr, /AccessDenied/)
      const logs = JSON.parse(await ok(work, 'irsa logs --denied --output json')) as {
        requestId: string
        action: string
      }[]
      const id = logs.filter((l) => l.action === 'sts:AssumeRoleWithWebIdentity').at(-1)?.requestId
      assert.ok(id !== undefined)
      const r = await doctor(work, `--request-id ${id}`)
      assert.equal(r.code, 1)
      assert.equal(r.report.firstFailure, 'decision.recorded')
      assert.match(checkOf(r.report, 'decision.recorded').summary, /at check trust-policy/)
      const c = checkOf(r.report, 'trust.conditions')
      assert.equal(c.status, 'fail')
      assert.equal(c.evidence['slip'], 'namespace-name-swap')
      assert.ok(c.fix !== null)
      await ok(work, c.fix)
      await ok(
        work,
        `aws sts assume-role-with-web-identity --role-arn ${ROLE_ARN} --role-session-name e2e --web-identity-token file://tok > /dev/null`,
      )
    },
  )
})
