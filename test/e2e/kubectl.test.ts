/**
 * E2E: the real kubectl against `irsa up`'s Kubernetes API, driven as an IRSA guide's
 * reader types it after `source .irsa/env` (KUBECONFIG comes from the env file): the
 * built-in namespaces and default ServiceAccounts, `apply` (created, then unchanged),
 * `annotate`, `describe`, `-o jsonpath`, a pod mutated by the webhook's admission,
 * the Table columns of `get pods`, `create token` yielding a token STS accepts, `exec`
 * running as the pod sees IRSA (env, token file, exit code, stdin, STS) and `logs`, a
 * Deployment's replicas as mutated pods, `get pods -w`, `delete`, and refusals worded as
 * kube-apiserver words them (a missing ServiceAccount, an invalid name, a bogus token),
 * and authentication as EKS does it: `aws eks update-kubeconfig`'s exec plugin
 * (`aws eks get-token`), a ServiceAccount's token (reads; Forbidden on another
 * namespace's Secrets and on writes), a forged EKS token and an STS-audience token (401).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { cliBin } from '../helpers/paths.js'
import { awsCli, oracle, runProcess, type ProcessResult } from '../helpers/tools.js'
import { startUp, stopUp, tempDir, TEST_ACCOUNT_ID } from './up-process.js'

const kubectl = (): { skip: string | false } =>
  oracle('kubectl', ['kubectl', 'version', '--client'])

function env(work: string): NodeJS.ProcessEnv {
  return {
    PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
    HOME: join(work, 'home'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  }
}

/** Runs a bash script as the user, after `source .irsa/env`. */
function sh(work: string, script: string): Promise<ProcessResult> {
  return runProcess('bash', ['--noprofile', '--norc', '-e', '-c', `source .irsa/env\n${script}`], {
    cwd: work,
    env: env(work),
  })
}

async function ok(work: string, script: string): Promise<string> {
  const r = await sh(work, script)
  assert.equal(r.code, 0, `${script}\nfailed (${r.code}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

const ROLE = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/app`

const SA = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: default
  annotations:
    eks.amazonaws.com/role-arn: ${ROLE}
`

const POD = (name: string, sa: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  serviceAccountName: ${sa}
  containers:
  - name: app
    image: public.ecr.aws/aws-cli/aws-cli:2.15.0
    command: ["sleep", "infinity"]
`

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      serviceAccountName: app
      containers:
      - name: api
        image: amazonlinux:2023
`

const TRUST = `
ISSUER=$(aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text)
PROVIDER=\${ISSUER#https://}
THUMBPRINT=$(node "$IRSA_BIN" oidc thumbprint "$ISSUER" --ca .irsa/ca.pem --output thumbprint)
aws iam create-open-id-connect-provider --url "$ISSUER" --client-id-list sts.amazonaws.com \\
  --thumbprint-list "$THUMBPRINT" > /dev/null
cat > trust.json <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/$PROVIDER"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"$PROVIDER:sub": "system:serviceaccount:default:app",
                                 "$PROVIDER:aud": "sts.amazonaws.com"}}}]}
EOF
aws iam create-role --role-name app --assume-role-policy-document file://trust.json > /dev/null
`

/** Waits (≤ 20 s) until `read()` satisfies `done`. */
async function until(
  read: () => string,
  done: (s: string) => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!done(read())) {
    if (Date.now() > deadline) assert.fail(`${what}: not seen within 20 s:\n${read()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

// Twenty-odd kubectl and AWS CLI runs against one stack (about 20 s); the runner's 120 s
// default is per test, so the whole guide gets more room on a loaded machine.
test('kubectl runs an IRSA guide against irsa up, unchanged', { timeout: 600_000 }, async (t) => {
  for (const o of [kubectl(), awsCli()])
    if (o.skip !== false) {
      t.skip(o.skip)
      return
    }
  const work = tempDir(t, 'irsa-kubectl-')
  mkdirSync(join(work, 'home'))
  const up = await startUp(join(work, '.irsa'))
  t.after(() => stopUp(up, 'SIGKILL'))
  assert.match(
    readFileSync(join(work, '.irsa', 'env'), 'utf8'),
    /^export KUBECONFIG='.*\/\.irsa\/kubeconfig'$/m,
  )

  await t.test(
    'what a cluster has: namespaces, default ServiceAccounts, kube-root-ca.crt',
    async () => {
      const ns = await ok(work, 'kubectl get namespaces')
      assert.match(ns, /^NAME\s+STATUS\s+AGE$/m)
      for (const name of ['default', 'kube-system', 'kube-public'])
        assert.match(ns, new RegExp(`^${name}\\s+Active\\s+\\d+s$`, 'm'))
      assert.equal(
        await ok(work, "kubectl -n default get sa default -o jsonpath='{.metadata.name}'"),
        'default',
      )
      const ca = await ok(
        work,
        "kubectl -n kube-system get configmap kube-root-ca.crt -o jsonpath='{.data.ca\\.crt}'",
      )
      assert.equal(ca, readFileSync(join(work, '.irsa', 'ca.pem'), 'utf8'))
      const discovery = JSON.parse(
        await ok(work, 'kubectl get --raw /.well-known/openid-configuration'),
      ) as { issuer: string; jwks_uri: string }
      assert.equal(
        discovery.issuer,
        up.issuer,
        'the API serves the cluster issuer as kube-apiserver does',
      )
      assert.match(
        discovery.jwks_uri,
        /^https:\/\/127\.0\.0\.1:\d+\/clusters\/local\/openid\/v1\/jwks$/,
      )
      const jwks = JSON.parse(await ok(work, 'kubectl get --raw /openid/v1/jwks')) as {
        keys: { kid: string; alg: string }[]
      }
      assert.equal(jwks.keys.length, 1)
      assert.equal(jwks.keys[0]?.alg, 'RS256')
    },
  )

  await t.test('apply, annotate, describe, jsonpath of a ServiceAccount', async () => {
    const apply = `cat > sa.yaml <<'EOF'\n${SA}EOF\nkubectl apply -f sa.yaml`
    assert.equal(await ok(work, apply), 'serviceaccount/app created\n')
    assert.equal(await ok(work, 'kubectl apply -f sa.yaml'), 'serviceaccount/app unchanged\n')
    assert.equal(
      await ok(work, 'kubectl annotate serviceaccount app eks.amazonaws.com/token-expiration=3600'),
      'serviceaccount/app annotated\n',
    )
    const described = await ok(work, 'kubectl describe serviceaccount app')
    assert.match(described, /^Name:\s+app$/m)
    assert.match(
      described,
      new RegExp(`^Annotations:\\s+eks\\.amazonaws\\.com/role-arn: ${ROLE}$`, 'm'),
    )
    assert.match(described, /eks\.amazonaws\.com\/token-expiration: 3600/)
    assert.equal(
      await ok(
        work,
        "kubectl get sa app -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'",
      ),
      ROLE,
    )
  })

  await t.test(
    'a pod is admitted through the webhook: env, projected token, describe',
    async () => {
      assert.equal(
        await ok(
          work,
          `cat > pod.yaml <<'EOF'\n${POD('web', 'app')}EOF\nkubectl apply -f pod.yaml`,
        ),
        'pod/web created\n',
      )
      const pod = JSON.parse(await ok(work, 'kubectl get pod web -o json')) as {
        spec: {
          containers: {
            env: { name: string; value: string }[]
            volumeMounts: { mountPath: string }[]
          }[]
          volumes: {
            name: string
            projected?: { sources: { serviceAccountToken?: { audience: string } }[] }
          }[]
        }
        status: { phase: string }
      }
      const envOf = Object.fromEntries(pod.spec.containers[0]!.env.map((e) => [e.name, e.value]))
      assert.equal(envOf['AWS_ROLE_ARN'], ROLE)
      assert.equal(
        envOf['AWS_WEB_IDENTITY_TOKEN_FILE'],
        '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      )
      const token = pod.spec.volumes.find((v) => v.name === 'aws-iam-token')
      assert.equal(token?.projected?.sources[0]?.serviceAccountToken?.audience, 'sts.amazonaws.com')
      assert.ok(
        pod.spec.volumes.some((v) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name)),
        "the ServiceAccount admission plugin's API access volume is there",
      )
      assert.ok(
        pod.spec.containers[0]!.volumeMounts.some(
          (m) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount',
        ),
      )
      assert.equal(pod.status.phase, 'Running')
      const table = await ok(work, 'kubectl get pods')
      assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m)
      assert.match(table, /^web\s+1\/1\s+Running\s+0\s+\d+s$/m)
      assert.match(
        await ok(work, 'kubectl describe pod web | grep AWS_ROLE_ARN:'),
        new RegExp(`AWS_ROLE_ARN:\\s+${ROLE}`),
      )
      assert.match(await ok(work, 'kubectl describe pod web'), /irsa\.dev\/simulated: true/)
    },
  )

  await t.test('kubectl create serviceaccount / configmap / secret (protobuf bodies)', async () => {
    assert.equal(
      await ok(work, 'kubectl create serviceaccount made-by-create'),
      'serviceaccount/made-by-create created\n',
    )
    assert.equal(
      await ok(work, 'kubectl create configmap cfg --from-literal=region=us-west-2'),
      'configmap/cfg created\n',
    )
    assert.equal(
      await ok(work, "kubectl get configmap cfg -o jsonpath='{.data.region}'"),
      'us-west-2',
    )
    await ok(work, 'kubectl create secret generic creds --from-literal=k=v')
    assert.equal(
      await ok(work, "kubectl get secret creds -o jsonpath='{.data.k}'"),
      Buffer.from('v').toString('base64'),
    )
  })

  await t.test('server-side apply creates, then merges', async () => {
    const ssa = SA.replace('name: app', 'name: ssa')
    assert.equal(
      await ok(work, `cat > ssa.yaml <<'EOF'\n${ssa}EOF\nkubectl apply --server-side -f ssa.yaml`),
      'serviceaccount/ssa serverside-applied\n',
    )
    const changed = ssa.replace('role/app', 'role/other')
    await ok(work, `cat > ssa.yaml <<'EOF'\n${changed}EOF\nkubectl apply --server-side -f ssa.yaml`)
    assert.match(
      await ok(work, "kubectl get sa ssa -o jsonpath='{.metadata.annotations}'"),
      /role\/other/,
    )
  })

  await t.test('kubectl create token: a token of the cluster that STS accepts', async () => {
    await ok(work, `IRSA_BIN='${cliBin}'\n${TRUST}`)
    const arn = await ok(
      work,
      'TOKEN=$(kubectl create token app --audience sts.amazonaws.com)\n' +
        `aws sts assume-role-with-web-identity --role-arn ${ROLE} --role-session-name kubectl-token ` +
        '--web-identity-token "$TOKEN" --query AssumedRoleUser.Arn --output text',
    )
    assert.equal(arn.trim(), `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/app/kubectl-token`)
  })

  await t.test(
    'kubectl exec runs as the pod sees IRSA; kubectl logs shows what it printed',
    async () => {
      const env = await ok(work, 'kubectl exec web -- env')
      assert.match(env, new RegExp(`^AWS_ROLE_ARN=${ROLE}$`, 'm'))
      const file = /^AWS_WEB_IDENTITY_TOKEN_FILE=(.+)$/m.exec(env)?.[1]
      assert.ok(file !== undefined, env)
      assert.notEqual(file, '/var/run/secrets/eks.amazonaws.com/serviceaccount/token')
      // HOME is the exec's private directory: the AWS CLI's credential cache is not the user's.
      assert.equal(/^HOME=(.+)$/m.exec(env)?.[1], dirname(file))
      // The file lives while the command runs (a private directory, removed after).
      const token = await ok(
        work,
        'kubectl exec web -- sh -c \'test -r "$AWS_WEB_IDENTITY_TOKEN_FILE" && cat "$AWS_WEB_IDENTITY_TOKEN_FILE"\'',
      )
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        sub: string
        aud: string[] | string
      }
      assert.equal(claims.sub, 'system:serviceaccount:default:app')
      assert.deepEqual([claims.aud].flat(), ['sts.amazonaws.com'])

      const exit3 = await sh(work, "kubectl exec web -- sh -c 'echo out; echo err >&2; exit 3'")
      assert.equal(exit3.code, 3, exit3.stderr)
      assert.equal(exit3.stdout, 'out\n')
      assert.match(exit3.stderr, /^err$/m)
      assert.match(exit3.stderr, /command terminated with exit code 3/)

      assert.equal(await ok(work, 'echo hi | kubectl exec -i web -- cat'), 'hi\n')
      const arn = (
        await ok(work, 'kubectl exec web -- aws sts get-caller-identity --query Arn --output text')
      ).trim()
      assert.match(arn, new RegExp(`^arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/app/\\S+$`))
      assert.equal(await ok(work, 'kubectl logs web'), `${arn}\n`)
      await ok(work, "kubectl exec web -- sh -c 'echo one; echo two >&2'")
      assert.equal(await ok(work, 'kubectl logs web'), 'one\ntwo\n')
      assert.equal(await ok(work, 'kubectl logs web --tail=1'), 'two\n')
      const missing = await sh(work, 'kubectl exec nope -- true')
      assert.equal(missing.code, 1)
      assert.match(missing.stderr, /pods "nope" not found/)
    },
  )

  await t.test(
    'a Deployment of 2 replicas gives 2 mutated pods; get -w sees a new pod',
    async () => {
      await ok(work, `cat > deploy.yaml <<'EOF'\n${DEPLOYMENT}EOF\nkubectl apply -f deploy.yaml`)
      const pods = JSON.parse(await ok(work, 'kubectl get pods -l app=api -o json')) as {
        items: { spec: { containers: { env: { name: string; value: string }[] }[] } }[]
      }
      assert.equal(pods.items.length, 2)
      for (const p of pods.items)
        assert.ok(
          p.spec.containers[0]!.env.some((e) => e.name === 'AWS_ROLE_ARN' && e.value === ROLE),
        )
      assert.match(await ok(work, 'kubectl get deployment api'), /^api\s+2\/2\s+2\s+2\s+\d+s$/m)

      const watch = spawn(
        'bash',
        ['--noprofile', '--norc', '-c', 'source .irsa/env; exec kubectl get pods -w'],
        {
          cwd: work,
          env: env(work),
        },
      )
      t.after(() => watch.kill('SIGKILL'))
      let seen = ''
      watch.stdout.on('data', (d: Buffer) => (seen += d.toString()))
      await until(
        () => seen,
        (s) => /^web\s/m.test(s),
        'the watch listing',
      )
      await ok(
        work,
        `cat > late.yaml <<'EOF'\n${POD('late', 'app')}EOF\nkubectl apply -f late.yaml`,
      )
      await until(
        () => seen,
        (s) => /^late\s+1\/1\s+Running/m.test(s),
        'the new pod on the watch',
      )
      // Written by another process straight to the store: the open watch sees it too.
      await ok(
        work,
        `cat > shell.yaml <<'EOF'\n${POD('shell', 'app')}EOF\nnode '${cliBin}' apply -f shell.yaml`,
      )
      await until(
        () => seen,
        (s) => /^shell\s/m.test(s),
        'the pod irsa apply wrote, on the watch',
      )
      watch.kill('SIGTERM')

      assert.match(await ok(work, 'kubectl delete deployment api'), /deployment.apps "api" deleted/)
      assert.equal((await ok(work, 'kubectl get pods -l app=api -o name')).trim(), '')
      assert.match(await ok(work, 'kubectl delete pod web'), /pod "web" deleted/)
      const gone = await sh(work, 'kubectl get pod web')
      assert.equal(gone.code, 1)
      assert.match(gone.stderr, /Error from server \(NotFound\): pods "web" not found/)
    },
  )

  await t.test('a cluster created while irsa up runs gets its context and is served', async () => {
    const created = await ok(work, `node '${cliBin}' cluster create dev`)
    assert.match(created, /kubectl context dev in .*kubeconfig/)
    assert.match(await ok(work, 'kubectl --context dev get sa'), /^default\s+0\s+\d+s$/m)
    assert.doesNotMatch(
      await ok(work, 'kubectl --context dev get sa'),
      /^app\s/m,
      'clusters are separate',
    )
    // kubectl get --raw drops the server URL's path: the context's certificate names the cluster.
    const dev = JSON.parse(
      await ok(work, 'kubectl --context dev get --raw /.well-known/openid-configuration'),
    ) as { issuer: string }
    assert.match(dev.issuer, /\/id\/[0-9A-F]{32}$/)
    assert.notEqual(dev.issuer, up.issuer)
  })

  await t.test("refusals in kube-apiserver's words", async () => {
    const missing = await sh(
      work,
      `cat > bad.yaml <<'EOF'\n${POD('bad', 'missing')}EOF\nkubectl apply -f bad.yaml`,
    )
    assert.equal(missing.code, 1)
    assert.match(
      missing.stderr,
      /pods "bad" is forbidden: error looking up service account default\/missing: serviceaccount "missing" not found/,
    )
    const invalid = await sh(work, 'kubectl create namespace Bad_Name')
    assert.equal(invalid.code, 1)
    assert.match(
      invalid.stderr,
      /The Namespace "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/,
    )
    const unknown = await sh(
      work,
      `cat > sa2.yaml <<'EOF'\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s3-reader\nbogusField: 1\nEOF\nkubectl apply -f sa2.yaml`,
    )
    assert.equal(unknown.code, 1)
    assert.match(
      unknown.stderr,
      /Error from server \(BadRequest\): error when creating "sa2\.yaml": ServiceAccount in version "v1" cannot be handled as a ServiceAccount: strict decoding error: unknown field "bogusField"/,
    )
    const warned = await sh(
      work,
      `cat > pod2.yaml <<'EOF'\n${POD('warned', 'app')}  foo: 1\nEOF\nkubectl apply --validate=warn -f pod2.yaml`,
    )
    assert.equal(warned.code, 0, warned.stderr)
    assert.match(warned.stderr, /Warning: unknown field "spec\.foo"/)
    assert.match(warned.stdout, /pod\/warned created/)
    const bogus = await sh(
      work,
      'kubectl config set-credentials intruder --token=bogus > /dev/null\nkubectl --user=intruder get sa',
    )
    assert.equal(bogus.code, 1)
    assert.match(bogus.stderr, /You must be logged in to the server \(Unauthorized\)/)
  })

  await t.test('authentication as EKS does it', async () => {
    // aws eks update-kubeconfig writes an exec plugin calling `aws eks get-token`.
    await ok(work, 'aws eks update-kubeconfig --name local --kubeconfig ./eks.kubeconfig')
    const written = readFileSync(join(work, 'eks.kubeconfig'), 'utf8')
    assert.match(written, /apiVersion: client\.authentication\.k8s\.io\/v1beta1/)
    assert.match(written, /server: https:\/\/127\.0\.0\.1:\d+\/clusters\/local/)
    assert.match(await ok(work, 'KUBECONFIG=./eks.kubeconfig kubectl get sa'), /^default\s/m)
    const forged = await sh(
      work,
      'kubectl config set-credentials forged --token=k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8 > /dev/null\nkubectl --user=forged get sa',
    )
    assert.equal(forged.code, 1)
    assert.match(forged.stderr, /\(Unauthorized\)/)

    // A service-account token of the cluster: reads, but not Secrets of other namespaces.
    await ok(
      work,
      'kubectl config set-credentials sa-app --token="$(kubectl create token app)" > /dev/null',
    )
    assert.match(await ok(work, 'kubectl --user=sa-app get pods'), /^NAME\s+READY/m)
    assert.match(await ok(work, 'kubectl --user=sa-app get secrets -n default'), /^$|NAME/)
    const secrets = await sh(work, 'kubectl --user=sa-app get secrets -n kube-system')
    assert.equal(secrets.code, 1)
    assert.match(
      secrets.stderr,
      /Error from server \(Forbidden\): secrets is forbidden: User "system:serviceaccount:default:app" cannot list resource "secrets" in API group "" in the namespace "kube-system"/,
    )
    const write = await sh(work, 'kubectl --user=sa-app create configmap nope')
    assert.equal(write.code, 1)
    assert.match(
      write.stderr,
      /configmaps is forbidden: User "system:serviceaccount:default:app" cannot create resource "configmaps"/,
    )

    // A token for STS (audience sts.amazonaws.com) is not a token for the API.
    const sts = await sh(
      work,
      'kubectl config set-credentials sa-sts --token="$(kubectl create token app --audience sts.amazonaws.com)" > /dev/null\nkubectl --user=sa-sts get pods',
    )
    assert.equal(sts.code, 1)
    assert.match(sts.stderr, /\(Unauthorized\)/)
  })

  await t.test('no token, client key or bearer credential appears in the stack log', async () => {
    const token = (await ok(work, 'kubectl create token app --audience sts.amazonaws.com')).trim()
    await sh(
      work,
      `kubectl config set-credentials leak --token='${token}' > /dev/null\nkubectl --user=leak get sa\n` +
        "kubectl config set-credentials leak2 --token='sentinel-bogus-bearer-0123456789' > /dev/null\nkubectl --user=leak2 get sa",
    )
    const key = /client-key-data: (\S+)/.exec(
      readFileSync(join(work, '.irsa', 'kubeconfig'), 'utf8'),
    )?.[1]
    assert.ok(key !== undefined && token.length > 100)
    const log = up.stderr()
    assert.ok(log.includes('kube'), 'the stack logged its Kubernetes API at debug')
    for (const secret of [
      token,
      token.split('.')[2] ?? token,
      key,
      'sentinel-bogus-bearer-0123456789',
    ])
      assert.equal(
        log.includes(secret),
        false,
        `a credential (${secret.slice(0, 6)}…) is in the stack log`,
      )
  })
})
