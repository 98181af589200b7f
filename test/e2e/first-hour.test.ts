/**
 * E2E: a new user's first hour with `irsa up`, driven as a user would, through bash and
 * the real AWS CLI (`irsa` on PATH is a link to the built CLI; HOME a temp folder).
 * - `source DIR/env` is all a shell needs: irsa commands find the stack from any
 *   directory, and a restart's Next: hint names the cluster `local`.
 * - Two fresh stacks in sequence, one HOME, the same role names: the AWS CLI's
 *   web-identity credential cache of the first does not answer for the second.
 * - Failures reach the decision log: a wrong secret key, an unknown key, a tampered
 *   session token and a malformed trust policy each appear in `irsa logs --denied` with
 *   their reason, and nothing allowed does.
 * - A service irsa does not serve is named (`aws dynamodb list-tables`).
 * - `irsa up` on a terminal prints text log lines, with stderr to a file JSON lines.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { awsCli, plainPython, runProcess, type ProcessResult } from '../helpers/tools.js'
import { cliBin } from '../helpers/paths.js'
import { startUp, stopUp, tempDir, type UpProcess } from './up-process.js'

/** A user's working directory: `bin/irsa` on PATH, a HOME of its own. */
function userDir(t: { after(fn: () => void): void }): string {
  const work = tempDir(t, 'irsa-first-hour-')
  mkdirSync(join(work, 'bin'))
  mkdirSync(join(work, 'home'))
  symlinkSync(cliBin, join(work, 'bin', 'irsa'))
  return work
}

/** Runs a bash script as the user, in `cwd`; `args` are its $1, $2, … */
function bash(
  work: string,
  script: string,
  o: { cwd?: string; args?: readonly string[] } = {},
): Promise<ProcessResult> {
  return runProcess(
    'bash',
    ['--noprofile', '--norc', '-e', '-c', script, 'bash', ...(o.args ?? [])],
    {
      cwd: o.cwd ?? work,
      env: {
        PATH: `${join(work, 'bin')}:${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
        HOME: join(work, 'home'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      },
    },
  )
}

function ok(r: ProcessResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

/**
 * The walkthrough as a user types it after `source .irsa/env`: provider, a role
 * trusting system:serviceaccount:default:my-sa, that ServiceAccount annotated with the
 * role, and the pod's view: `irsa exec … -- aws sts get-caller-identity`.
 */
const CHAIN = `
source .irsa/env
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
ISSUER=$(aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text)
PROVIDER=\${ISSUER#https://}
THUMBPRINT=$(irsa oidc thumbprint "$ISSUER" --ca .irsa/ca.pem --output thumbprint)
aws iam create-open-id-connect-provider --url "$ISSUER" --client-id-list sts.amazonaws.com \\
  --thumbprint-list "$THUMBPRINT" > /dev/null
cat > trust.json <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::$ACCOUNT:oidc-provider/$PROVIDER"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"$PROVIDER:sub": "system:serviceaccount:default:my-sa"}}}]}
EOF
aws iam create-role --role-name my-role --assume-role-policy-document file://trust.json > /dev/null
irsa apply -f - > /dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata:
  name: my-sa
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::$ACCOUNT:role/my-role
EOF
irsa exec -n default --service-account my-sa -- aws sts get-caller-identity --query Arn --output text
`

function accountOf(up: UpProcess): string {
  const id = /account (\d{12}),/.exec(up.stdout())?.[1]
  assert.ok(id !== undefined, `no account in the banner:\n${up.stdout()}`)
  return id
}

function skipWithoutAwsCli(t: { skip(why: string): void }): boolean {
  const oracle = awsCli()
  if (oracle.skip === false) return false
  t.skip(oracle.skip)
  return true
}

test('source DIR/env: irsa and the AWS CLI find the stack from any directory', async (t) => {
  if (skipWithoutAwsCli(t)) return
  const work = userDir(t)
  const elsewhere = tempDir(t, 'irsa-elsewhere-')
  const up = await startUp(join(work, '.irsa'), [], { randomAccount: true })
  t.after(() => stopUp(up, 'SIGKILL'))
  const out = ok(
    await bash(
      work,
      'source "$1/.irsa/env"; cd "$2"; irsa cluster list; ' +
        'aws sts get-caller-identity --query Account --output text',
      { args: [work, elsewhere], cwd: elsewhere },
    ),
    'irsa from another directory',
  )
  assert.match(out, /^local\b/m)
  assert.match(out, new RegExp(`^${accountOf(up)}$`, 'm'))

  // A restart with another cluster beside local: the hint still walks through local.
  ok(await bash(work, 'source .irsa/env; irsa cluster create zeta'), 'irsa cluster create')
  await stopUp(up)
  const again = await startUp(join(work, '.irsa'))
  t.after(() => stopUp(again, 'SIGKILL'))
  assert.match(again.stdout(), /aws eks describe-cluster --name local /)
  assert.match(again.stdout(), /irsa create token app -n default --cluster local > token/)
})

test('two fresh stacks in sequence, one HOME, the same role names: exec works on the second', async (t) => {
  if (skipWithoutAwsCli(t)) return
  const work = userDir(t)
  const arns: string[] = []
  for (const round of [1, 2]) {
    rmSync(join(work, '.irsa'), { recursive: true, force: true })
    const up = await startUp(join(work, '.irsa'), [], { randomAccount: true })
    try {
      const arn = ok(await bash(work, CHAIN), `the chain on stack ${round}`).trim()
      assert.match(
        arn,
        new RegExp(`^arn:aws:sts::${accountOf(up)}:assumed-role/my-role/botocore-session-\\d+$`),
      )
      arns.push(arn)
    } finally {
      await stopUp(up)
    }
    // The AWS CLI cached the session of this stack: the second round meets that cache.
    const cache = join(work, 'home', '.aws', 'cli', 'cache')
    assert.ok(readdirSync(cache).length >= round, 'the AWS CLI cached no web-identity session')
  }
  assert.notEqual(arns[0]?.split(':')[4], arns[1]?.split(':')[4], 'both stacks served one account')
})

test('irsa logs --denied: bad secret, unknown key, tampered session token, malformed trust policy', async (t) => {
  if (skipWithoutAwsCli(t)) return
  const work = userDir(t)
  const up = await startUp(join(work, '.irsa'), [], { randomAccount: true })
  t.after(() => stopUp(up, 'SIGKILL'))
  ok(await bash(work, CHAIN), 'the chain')
  const script = `
source .irsa/env
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
ISSUER=$(aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text)
irsa create token my-sa -n default --cluster local > token
CREDS=$(aws sts assume-role-with-web-identity --role-arn "arn:aws:iam::$ACCOUNT:role/my-role" \\
  --role-session-name s1 --web-identity-token file://token \\
  --query '[Credentials.AccessKeyId,Credentials.SecretAccessKey,Credentials.SessionToken]' --output text)
read -r KEY SECRET SESSION <<< "$CREDS"
echo "-- valid session"
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=$SESSION \\
  aws sts get-caller-identity --query Arn --output text
echo "-- tampered session token"
TAMPERED=\${SESSION:0:40}$(printf '%s' "\${SESSION:40:1}" | tr 'A-Za-z0-9' 'B-ZAb-za1-90')\${SESSION:41}
AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=$TAMPERED \\
  aws sts get-caller-identity 2>&1 || true
echo "-- wrong secret key"
AWS_SECRET_ACCESS_KEY=not-the-secret-key-of-this-admin-key-000 aws sts get-caller-identity 2>&1 || true
echo "-- unknown key"
AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000000 aws sts get-caller-identity 2>&1 || true
echo "-- malformed trust policy"
aws iam create-role --role-name bad --assume-role-policy-document \\
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}' 2>&1 || true
`
  const out = ok(await bash(work, script), 'the failing calls')
  assert.match(out, /-- valid session\narn:aws:sts::\d{12}:assumed-role\/my-role\/s1\n/)
  assert.match(out, /-- tampered session token\n\s*An error occurred \(InvalidClientTokenId\)/)
  assert.match(out, /-- wrong secret key\n\s*An error occurred \(SignatureDoesNotMatch\)/)
  assert.match(out, /-- unknown key\n\s*An error occurred \(InvalidClientTokenId\)/)
  assert.match(out, /-- malformed trust policy\n\s*An error occurred \(MalformedPolicyDocument\)/)

  const text = ok(await bash(work, 'source .irsa/env; irsa logs --denied'), 'irsa logs --denied')
  const json = JSON.parse(
    ok(await bash(work, 'source .irsa/env; irsa logs --denied --output json'), 'logs json'),
  ) as { decision: string; action: string; errorCode?: string; reasons: { why?: string } }[]
  assert.deepEqual(
    json.filter((d) => d.decision === 'allowed'),
    [],
    'an allowed decision in --denied',
  )
  const codes = json.map((d) => `${d.action} ${d.errorCode ?? ''}`)
  for (const want of [
    'sts:GetCallerIdentity InvalidClientTokenId',
    'sts:GetCallerIdentity SignatureDoesNotMatch',
    'iam:CreateRole MalformedPolicyDocument',
  ])
    assert.ok(codes.includes(want), `${want} is not in --denied: ${codes.join(', ')}`)
  assert.equal(
    codes.filter((c) => c === 'sts:GetCallerIdentity InvalidClientTokenId').length,
    2,
    'the unknown key and the tampered session token are two decisions',
  )
  for (const d of json)
    assert.ok((d.reasons.why ?? '').length > 0, `no reason: ${JSON.stringify(d)}`)
  // The text form: reasons as text lines, not JSON with escaped quotes.
  assert.match(text, /^ {4}why: .+$/m)
  assert.doesNotMatch(text, /\\"/)
  assert.doesNotMatch(text, /\ballowed\b {2}/)
})

test('aws dynamodb list-tables: irsa names the service it does not serve', async (t) => {
  if (skipWithoutAwsCli(t)) return
  const work = userDir(t)
  const up = await startUp(join(work, '.irsa'))
  t.after(() => stopUp(up, 'SIGKILL'))
  const r = await bash(work, 'source .irsa/env; aws dynamodb list-tables')
  assert.equal(r.code, 255, r.stderr)
  assert.match(
    r.stderr,
    /An error occurred \(NotImplemented\) when calling the ListTables operation: irsa does not serve dynamodb: this endpoint serves .*\biam\b.*\bsts\b/,
  )
})

/** `irsa up` under a pseudo-terminal (python's pty), stopped with SIGTERM after its banner. */
const PTY_RUN = `
import os, pty, signal, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out, start, stopped = b'', time.time(), False
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not stopped and b'Stop with Ctrl-C' in out:
        os.kill(pid, signal.SIGTERM)
        stopped = True
    if time.time() - start > 30:
        os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
`

test('irsa up: text log lines on a terminal, JSON lines when stderr is a file', async (t) => {
  const py = plainPython()
  if (py.skip !== false) {
    t.skip(py.skip)
    return
  }
  const work = userDir(t)
  const upArgs = ['up', '--aws-port', '0', '--oidc-port', '0', '--webhook-port', '0']
  const tty = await runProcess(
    'python3',
    ['-c', PTY_RUN, process.execPath, cliBin, ...upArgs, '--data-dir', join(work, 'tty')],
    { env: { PATH: process.env['PATH'] ?? '', HOME: join(work, 'home') } },
  )
  assert.equal(tty.code, 0, tty.stderr)
  assert.match(tty.stdout, /Stop with Ctrl-C/)
  assert.match(tty.stdout, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}shutting down signal=SIGTERM/m)
  assert.doesNotMatch(tty.stdout, /^\s*\{"level"/m)

  const logFile = join(work, 'stderr.log')
  const toFile = await bash(
    work,
    `"$1" "$2" ${upArgs.join(' ')} --data-dir "$3" > out 2> "$4" & pid=$!
for i in $(seq 300); do grep -q 'Stop with Ctrl-C' out && break; sleep 0.1; done
kill -TERM $pid; wait $pid`,
    { args: [process.execPath, cliBin, join(work, 'file'), logFile] },
  )
  assert.equal(toFile.code, 0, toFile.stderr)
  const lines = readFileSync(logFile, 'utf8').trim().split('\n')
  assert.ok(lines.length > 0, 'no log line in the file')
  for (const line of lines) {
    const o = JSON.parse(line) as { level: number; msg: string }
    assert.equal(typeof o.level, 'number')
  }
  assert.ok(lines.some((l) => l.includes('"msg":"shutting down"')))
})
