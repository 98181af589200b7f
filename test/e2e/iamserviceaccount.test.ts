/**
 * E2E: `irsa utils associate-iam-oidc-provider` and `irsa create|get|delete
 * iamserviceaccount` against a fresh `irsa up`, driven through bash after
 * `source .irsa/env` as a user types them, and checked the way a user would: with the
 * real AWS CLI, the real kubectl, and an actual AssumeRoleWithWebIdentity with the
 * ServiceAccount's token (`kubectl create token SA --audience sts.amazonaws.com`).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ok, sh } from '../helpers/user-shell.js'
import { awsCli, oracle, type ProcessResult } from '../helpers/tools.js'
import { startUp, stopUp, tempDir, TEST_ACCOUNT_ID } from './up-process.js'

const kubectl = (): { skip: string | false } =>
  oracle('kubectl', ['kubectl', 'version', '--client'])

/** The state a user would look at: roles, their trust and policies, ServiceAccounts. */
async function snapshot(work: string): Promise<string> {
  return ok(
    work,
    `aws iam list-roles --query 'Roles[].[RoleName,AssumeRolePolicyDocument]' --output json
aws iam list-open-id-connect-providers --output json
kubectl get sa -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.metadata.annotations}{"\\n"}{end}'`,
  )
}

/** Whether SA's token (audience sts.amazonaws.com) assumes ROLE, as a pod's SDK would. */
async function assumes(work: string, sa: string, role: string): Promise<boolean> {
  const r = await sh(
    work,
    `kubectl create token ${sa} --audience sts.amazonaws.com > token-${sa}
aws sts assume-role-with-web-identity --role-arn arn:aws:iam::${TEST_ACCOUNT_ID}:role/${role} \\
  --role-session-name e2e --web-identity-token file://token-${sa} --query AssumedRoleUser.Arn --output text`,
  )
  if (r.code === 0) {
    assert.match(r.stdout, new RegExp(`assumed-role/${role}/e2e`))
    return true
  }
  assert.match(r.stderr, /AccessDenied/, r.stderr)
  return false
}

// A dozen steps of real CLIs (the AWS CLI, kubectl, irsa with the SDK) against one stack:
// about 90 s on a 2-core machine, more under load; the runner's 120 s default is per test.
test(
  'irsa create iamserviceaccount runs the eksctl workflow against irsa up',
  { timeout: 600_000 },
  async (t) => {
    for (const o of [kubectl(), awsCli()])
      if (o.skip !== false) {
        t.skip(o.skip)
        return
      }
    const work = tempDir(t, 'irsa-iamsa-')
    mkdirSync(join(work, 'home'))
    const up = await startUp(join(work, '.irsa'))
    t.after(() => stopUp(up, 'SIGKILL'))
    const POLICY = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/s3-read`
    await ok(
      work,
      `aws iam create-policy --policy-name s3-read --policy-document \\
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' > /dev/null`,
    )

    await t.test('bad input: one line, exit 2, nothing changed', async () => {
      const before = await snapshot(work)
      const cases: [string, RegExp][] = [
        [
          `irsa create iamserviceaccount --cluster nope --name app --attach-policy-arn ${POLICY} --approve`,
          /^irsa: cluster nope not found: .*$/,
        ],
        [
          `irsa create iamserviceaccount --cluster local --name app --attach-policy-arn ${POLICY} --approve`,
          /^irsa: no IAM OIDC provider arn:aws:iam::\d+:oidc-provider\/\S+ yet; run: irsa utils associate-iam-oidc-provider --cluster local --approve$/,
        ],
        [
          `irsa create iamserviceaccount --cluster local --name app --attach-role-arn arn:aws:iam::${TEST_ACCOUNT_ID}:role/r --role-name r --approve`,
          /^irsa: --attach-role-arn and --role-name cannot be used together$/,
        ],
        [
          `irsa create iamserviceaccount --cluster local --name Bad_Name --attach-policy-arn ${POLICY} --approve`,
          /^irsa: invalid ServiceAccount name 'Bad_Name': .*$/,
        ],
      ]
      for (const [cmd, want] of cases) {
        const r = await sh(work, cmd)
        assert.equal(r.code, 2, `${cmd}\n${r.stdout}\n${r.stderr}`)
        assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1, r.stderr)
        assert.match(r.stderr.trim(), want)
      }
      assert.equal(await snapshot(work), before)
    })

    await t.test('associate-iam-oidc-provider: plan, create, no-op', async () => {
      const plan = await ok(work, 'irsa utils associate-iam-oidc-provider --cluster local')
      assert.match(plan, /^issuer https:\/\/\S+ \(from eks describe-cluster local\)$/m)
      assert.match(plan, /^ {2}create {2}IAM OIDC provider .*client ID sts\.amazonaws\.com/m)
      assert.equal(
        (await ok(work, 'aws iam list-open-id-connect-providers --output text')).trim(),
        '',
      )
      await ok(work, 'irsa utils associate-iam-oidc-provider --cluster local --approve')
      const listed = await ok(
        work,
        `ARN=$(aws iam list-open-id-connect-providers --query 'OpenIDConnectProviderList[0].Arn' --output text)
aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$ARN" --query '[ClientIDList, ThumbprintList]' --output text
ISSUER=$(aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text)
irsa oidc thumbprint "$ISSUER" --ca .irsa/ca.pem --output thumbprint`,
      )
      const [ids, thumb, measured] = listed.trim().split('\n')
      assert.equal(ids, 'sts.amazonaws.com')
      assert.equal(thumb, measured)
      const again = await ok(
        work,
        'irsa utils associate-iam-oidc-provider --cluster local --approve',
      )
      assert.match(again, /^nothing to change$/m)
    })

    await t.test('create: the plan changes nothing', async () => {
      const before = await snapshot(work)
      const plan = await ok(
        work,
        `irsa create iamserviceaccount --cluster local --name app --attach-policy-arn ${POLICY} --role-name app-role`,
      )
      assert.match(
        plan,
        /^ {2}create {2}role app-role trusting system:serviceaccount:default:app$/m,
      )
      assert.match(plan, /run again with --approve/)
      const missing = await sh(
        work,
        `irsa create iamserviceaccount --cluster local --name app --attach-policy-arn arn:aws:iam::${TEST_ACCOUNT_ID}:policy/nope --approve`,
      )
      assert.equal(missing.code, 2)
      assert.equal(
        missing.stderr.trim(),
        `irsa: --attach-policy-arn arn:aws:iam::${TEST_ACCOUNT_ID}:policy/nope: no such policy`,
      )
      assert.equal(await snapshot(work), before)
    })

    await t.test('create, and the ServiceAccount assumes the role', async () => {
      await ok(
        work,
        `irsa create iamserviceaccount --cluster local --name app --attach-policy-arn ${POLICY} --role-name app-role --approve`,
      )
      assert.equal(
        await ok(
          work,
          `kubectl get sa app -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn} {.metadata.labels.app\\.kubernetes\\.io/managed-by}'`,
        ),
        `arn:aws:iam::${TEST_ACCOUNT_ID}:role/app-role irsa`,
      )
      assert.equal(
        (
          await ok(
            work,
            'aws iam list-attached-role-policies --role-name app-role --query AttachedPolicies[].PolicyArn --output text',
          )
        ).trim(),
        POLICY,
      )
      assert.equal(await assumes(work, 'app', 'app-role'), true)
      assert.equal(await assumes(work, 'default', 'app-role'), false)
    })

    await t.test('a re-run is a no-op', async () => {
      const before = await snapshot(work)
      const out = await ok(
        work,
        `irsa create iamserviceaccount --cluster local --name app --attach-policy-arn ${POLICY} --role-name app-role --approve`,
      )
      assert.match(out, /^nothing to change$/m)
      assert.doesNotMatch(out, /^ {2}(created|changed)/m)
      assert.equal(await snapshot(work), before)
    })

    await t.test('a second ServiceAccount on the same role is merged; both assume it', async () => {
      const out = await ok(
        work,
        `irsa create iamserviceaccount --cluster local --name app2 --attach-policy-arn ${POLICY} --role-name app-role --approve`,
      )
      assert.match(out, /^ {2}changed role app-role: add a trust statement .*app2 \(1 kept\)$/m)
      const statements = await ok(
        work,
        "aws iam get-role --role-name app-role --query 'length(Role.AssumeRolePolicyDocument.Statement)'",
      )
      assert.equal(statements.trim(), '2')
      assert.equal(await assumes(work, 'app', 'app-role'), true)
      assert.equal(await assumes(work, 'app2', 'app-role'), true)
      const got = await ok(work, 'irsa get iamserviceaccount --cluster local -o json')
      const rows = JSON.parse(got) as { name: string; admitted: boolean }[]
      assert.deepEqual(
        rows.map((r) => [r.name, r.admitted]),
        [
          ['app', true],
          ['app2', true],
        ],
      )
    })

    await t.test('delete removes only what create made', async () => {
      await ok(work, 'kubectl create serviceaccount mine')
      await ok(
        work,
        `irsa create iamserviceaccount --cluster local --name mine --attach-policy-arn ${POLICY} --role-name app-role --approve`,
      )
      const before = await snapshot(work)
      await ok(work, 'irsa delete iamserviceaccount --cluster local --name app')
      assert.equal(await snapshot(work), before, 'the plan changed something')
      await ok(work, 'irsa delete iamserviceaccount --cluster local --name app --approve')
      const gone = await sh(work, 'kubectl get sa app')
      assert.notEqual(gone.code, 0)
      assert.match(gone.stderr, /NotFound/)
      assert.equal(await assumes(work, 'app2', 'app-role'), true)
      assert.equal(await assumes(work, 'mine', 'app-role'), true)
      // A ServiceAccount irsa did not create loses only its annotation.
      await ok(work, 'irsa delete iamserviceaccount --cluster local --name mine --approve')
      assert.equal(
        await ok(
          work,
          "kubectl get sa mine -o jsonpath='{.metadata.name}:{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'",
        ),
        'mine:',
      )
      // The last one: the role irsa created goes too.
      await ok(work, 'irsa delete iamserviceaccount --cluster local --name app2 --approve')
      const role = await sh(work, 'aws iam get-role --role-name app-role')
      assert.match(role.stderr, /NoSuchEntity/)
      const policy = await ok(
        work,
        `aws iam get-policy --policy-arn ${POLICY} --query Policy.AttachmentCount --output text`,
      )
      assert.equal(policy.trim(), '0')
    })

    await t.test('the deleted ServiceAccount can no longer assume the role', async () => {
      await ok(
        work,
        `irsa create iamserviceaccount --cluster local --name keeper --attach-policy-arn ${POLICY} --role-name shared --approve
irsa create iamserviceaccount --cluster local --name leaver --attach-policy-arn ${POLICY} --role-name shared --approve
irsa delete iamserviceaccount --cluster local --name leaver --approve
kubectl create serviceaccount leaver`,
      )
      assert.equal(await assumes(work, 'keeper', 'shared'), true)
      assert.equal(await assumes(work, 'leaver', 'shared'), false)
    })

    await t.test(
      'override: the annotation changes only with --override-existing-serviceaccounts',
      async () => {
        const annotation = (): Promise<string> =>
          ok(
            work,
            "kubectl get sa ov -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'",
          )
        await ok(
          work,
          `irsa create iamserviceaccount --cluster local --name ov --attach-policy-arn ${POLICY} --role-name ov-a --approve`,
        )
        const out = await ok(
          work,
          `irsa create iamserviceaccount --cluster local --name ov --attach-policy-arn ${POLICY} --role-name ov-b --approve`,
        )
        assert.match(
          out,
          /kept {4}ServiceAccount default\/ov \(annotated .*ov-a; --override-existing-serviceaccounts/,
        )
        assert.equal(await annotation(), `arn:aws:iam::${TEST_ACCOUNT_ID}:role/ov-a`)
        await ok(
          work,
          `irsa create iamserviceaccount --cluster local --name ov --attach-policy-arn ${POLICY} --role-name ov-b --override-existing-serviceaccounts --approve`,
        )
        assert.equal(await annotation(), `arn:aws:iam::${TEST_ACCOUNT_ID}:role/ov-b`)
        assert.equal(await assumes(work, 'ov', 'ov-b'), true)
      },
    )

    await t.test(
      '--role-only touches no ServiceAccount; --attach-role-arn creates no role',
      async () => {
        const sas = (): Promise<string> =>
          ok(work, "kubectl get sa -A -o jsonpath='{.items[*].metadata.name}'")
        const roles = (): Promise<string> =>
          ok(work, 'aws iam list-roles --query Roles[].RoleName --output text')
        const saBefore = await sas()
        await ok(
          work,
          `irsa create iamserviceaccount --cluster local --namespace other --name x --attach-policy-arn ${POLICY} --role-name other-role --role-only --approve`,
        )
        assert.equal(await sas(), saBefore)
        assert.match(await roles(), /\bother-role\b/)
        await ok(work, 'kubectl create serviceaccount x')
        const rolesBefore = await roles()
        await ok(
          work,
          `irsa create iamserviceaccount --cluster local --name x --attach-role-arn arn:aws:iam::${TEST_ACCOUNT_ID}:role/other-role --approve`,
        )
        assert.equal(await roles(), rolesBefore)
        assert.equal(
          await ok(
            work,
            "kubectl get sa x -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'",
          ),
          `arn:aws:iam::${TEST_ACCOUNT_ID}:role/other-role`,
        )
        // Its role trusts other:x, not default:x: get says so, and STS agrees.
        const rows = JSON.parse(
          await ok(work, 'irsa get iamserviceaccount --cluster local --namespace default -o json'),
        ) as { name: string; admitted: boolean; reason: string }[]
        const x = rows.find((r) => r.name === 'x')
        assert.ok(x !== undefined, 'x is not listed')
        assert.equal(x.admitted, false)
        assert.match(x.reason, /system:serviceaccount:other:x.*system:serviceaccount:default:x/)
        assert.equal(await assumes(work, 'x', 'other-role'), false)
      },
    )

    await t.test(
      'a merged trust policy over the quota is refused, saying how to fix it',
      async () => {
        let refused: ProcessResult | undefined
        for (let i = 0; i < 12 && refused === undefined; i++) {
          const before = await snapshot(work)
          const r = await sh(
            work,
            `irsa create iamserviceaccount --cluster local --name many-${i} --attach-policy-arn ${POLICY} --role-name crowded --role-only --approve`,
          )
          if (r.code !== 0) {
            refused = r
            assert.equal(await snapshot(work), before)
          }
        }
        assert.ok(refused !== undefined, 'never refused')
        assert.equal(refused.code, 2)
        assert.match(
          refused.stderr.trim(),
          /^irsa: the merged trust policy of role crowded would be \d+ characters, over IAM's quota of 2048: use another --role-name, .*$/,
        )
      },
    )

    await t.test('-f: an eksctl ClusterConfig of several ServiceAccounts', async () => {
      writeFileSync(
        join(work, 'cluster.yaml'),
        `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: local
  region: us-west-2
iam:
  withOIDC: true
  serviceAccounts:
  - metadata: {name: cfg-a, namespace: default}
    attachPolicyARNs: ["${POLICY}"]
    roleName: cfg-role
  - metadata: {name: cfg-b}
    attachPolicyARNs: ["${POLICY}"]
    roleName: cfg-role
    tags: {team: shop}
`,
      )
      const before = await snapshot(work)
      await ok(work, 'irsa create iamserviceaccount -f cluster.yaml')
      assert.equal(await snapshot(work), before)
      const out = await ok(work, 'irsa create iamserviceaccount -f cluster.yaml --approve')
      assert.match(out, /^default\/cfg-a:$/m)
      assert.match(out, /^default\/cfg-b:$/m)
      assert.equal(await assumes(work, 'cfg-a', 'cfg-role'), true)
      assert.equal(await assumes(work, 'cfg-b', 'cfg-role'), true)
      const again = await ok(work, 'irsa create iamserviceaccount -f cluster.yaml --approve')
      assert.doesNotMatch(again, /^ {2}(created|changed)/m)
    })

    await t.test(
      "the EKS user guide's command line, with only the cluster name changed",
      async () => {
        await ok(
          work,
          `aws iam create-policy --policy-name my-policy --policy-document \\
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}' > /dev/null
irsa create iamserviceaccount --name my-service-account --namespace default --cluster local --role-name my-role \\
    --attach-policy-arn arn:aws:iam::${TEST_ACCOUNT_ID}:policy/my-policy --approve`,
        )
        assert.equal(await assumes(work, 'my-service-account', 'my-role'), true)
      },
    )
  },
)
