import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'

/** A temporary directory with the given files, removed after the test. */
function files(t: { after: (fn: () => void) => void }, contents: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-policy-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text)
  return dir
}

const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE'
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`
const EKS_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject"],
      "Resource": ["arn:aws:s3:::my-pod-secrets-bucket"]
    }
  ]
}
`
const TRUST = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${ISSUER}:aud`]: 'sts.amazonaws.com',
            [`${ISSUER}:sub`]: 'system:serviceaccount:default:my-sa',
          },
        },
      },
    ],
  },
  null,
  2,
)

function oneLineError(r: { code: number; stdout: string; stderr: string }, msg: RegExp): void {
  assert.equal(r.code, 2, r.stderr)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^irsa: [^\n]+\n$/)
  assert.match(r.stderr, msg)
}

test('irsa policy eval and validate document their flags', async () => {
  const e = await runCli(['policy', 'eval', '--help'])
  assert.equal(e.code, 0)
  for (const flag of [
    '--policy FILE',
    '--trust-policy FILE',
    '--boundary FILE',
    '--session-policy FILE',
    '--action ACTION',
    '--resource ARN',
    '--principal ARN',
    '--principal-type TYPE',
    '--context KEY=TYPE:VALUE',
    '--output FORMAT',
  ])
    assert.ok(e.stdout.includes(flag), flag)
  const v = await runCli(['policy', 'validate', '--help'])
  assert.equal(v.code, 0)
  assert.match(v.stdout, /--type KIND/)
  const group = await runCli(['policy', '--help'])
  assert.match(group.stdout, /policy eval/)
  assert.match(group.stdout, /policy validate/)
})

test("eval: the EKS docs' policy is an implicit deny, explained (text, exit 1)", async (t) => {
  const dir = files(t, { 'policy.json': EKS_POLICY })
  const r = await runCli(
    [
      'policy',
      'eval',
      '--policy',
      'policy.json',
      '--action',
      's3:GetObject',
      '--resource',
      'arn:aws:s3:::my-pod-secrets-bucket/key',
    ],
    { cwd: dir },
  )
  assert.equal(r.code, 1, r.stderr)
  assert.equal(r.stderr, '')
  assert.match(r.stdout, /^decision: implicitDeny$/m)
  assert.match(
    r.stdout,
    /policy\.json statement 0 \(4:5-8:5\) Allow: no match: resource arn:aws:s3:::my-pod-secrets-bucket\/key is not matched by Resource \["arn:aws:s3:::my-pod-secrets-bucket"\]/,
  )
})

test('eval --output json: decision, deciding statements with positions, layers, missing keys (exit 0)', async (t) => {
  const dir = files(t, {
    'p.json': EKS_POLICY.replace('my-pod-secrets-bucket"', 'my-pod-secrets-bucket/*"'),
  })
  const r = await runCli(
    [
      'policy',
      'eval',
      '--policy',
      'p.json',
      '--action',
      's3:GetObject',
      '--resource',
      'arn:aws:s3:::my-pod-secrets-bucket/key',
      '--output',
      'json',
    ],
    { cwd: dir },
  )
  assert.equal(r.code, 0, r.stderr)
  const x = JSON.parse(r.stdout)
  assert.equal(x.decision, 'allowed')
  assert.deepEqual(x.matched, [
    {
      policyId: 'p.json',
      policyType: 'user-managed',
      index: 0,
      start: { line: 4, column: 5 },
      end: { line: 8, column: 5 },
    },
  ])
  assert.equal(x.layers[0].layer, 'identity')
  assert.deepEqual(x.missingContextKeys, [])
})

test('eval --trust-policy: an IRSA trust policy decides AssumeRoleWithWebIdentity from the claims', async (t) => {
  const dir = files(t, { 'trust.json': TRUST })
  const base = [
    'policy',
    'eval',
    '--trust-policy',
    'trust.json',
    '--action',
    'sts:AssumeRoleWithWebIdentity',
    '--resource',
    'arn:aws:iam::111122223333:role/my-role',
    '--principal',
    PROVIDER,
    '--context',
    `${ISSUER}:aud=string:sts.amazonaws.com`,
  ]
  const ok = await runCli(
    [
      ...base,
      '--context',
      `${ISSUER}:sub=string:system:serviceaccount:default:my-sa`,
      '--output',
      'json',
    ],
    { cwd: dir },
  )
  assert.equal(ok.code, 0, ok.stderr)
  const x = JSON.parse(ok.stdout)
  assert.equal(x.decision, 'allowed')
  assert.deepEqual(x.request.principal, { type: 'Federated', id: PROVIDER })
  assert.equal(x.matched[0].policyId, 'trust.json')
  const bad = await runCli(
    [...base, '--context', `${ISSUER}:sub=string:system:serviceaccount:default:other`],
    { cwd: dir },
  )
  assert.equal(bad.code, 1)
  assert.match(
    bad.stdout,
    /condition StringEquals .*:sub: expected \["system:serviceaccount:default:my-sa"\], got \["system:serviceaccount:default:other"\]/,
  )
  const noSub = await runCli([...base, '--output', 'json'], { cwd: dir })
  assert.equal(noSub.code, 1)
  assert.deepEqual(JSON.parse(noSub.stdout).missingContextKeys, [`${ISSUER}:sub`])
  const asAws = await runCli(
    [
      ...base,
      '--context',
      `${ISSUER}:sub=string:system:serviceaccount:default:my-sa`,
      '--principal-type',
      'AWS',
    ],
    { cwd: dir },
  )
  assert.equal(asAws.code, 1)
  assert.match(asAws.stdout, /no match: principal AWS:/)
})

test('eval: explicit deny from a boundary or session policy exits 1', async (t) => {
  const dir = files(t, {
    'id.json': JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' },
    }),
    'deny.json': JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' },
    }),
  })
  const args = [
    'policy',
    'eval',
    '--policy',
    'id.json',
    '--action',
    's3:GetObject',
    '--resource',
    '*',
    '--output',
    'json',
  ]
  for (const flag of ['--boundary', '--session-policy']) {
    const r = await runCli([...args, flag, 'deny.json'], { cwd: dir })
    assert.equal(r.code, 1, r.stderr)
    assert.equal(JSON.parse(r.stdout).decision, 'explicitDeny')
    assert.equal(JSON.parse(r.stdout).matched[0].policyId, 'deny.json')
  }
})

test('eval errors exit 2 with one line: bad file, malformed policy, bad --context, missing flags', async (t) => {
  const dir = files(t, {
    'principal.json':
      '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}\n}',
    'ok.json': EKS_POLICY,
    'trust.json': TRUST,
  })
  const ev = (...a: string[]) => runCli(['policy', 'eval', ...a], { cwd: dir })
  oneLineError(
    await ev('--policy', 'nope.json', '--action', 's3:x', '--resource', '*'),
    /--policy nope\.json: no such file/,
  )
  oneLineError(
    await ev('--policy', 'principal.json', '--action', 's3:x', '--resource', '*'),
    /--policy principal\.json:3:49: MalformedPolicyDocument: Policy document should not specify a principal\./,
  )
  oneLineError(
    await ev(
      '--policy',
      'ok.json',
      '--action',
      's3:x',
      '--resource',
      '*',
      '--context',
      'k=numeric:x',
    ),
    /--context k: 'x' is not a valid numeric value/,
  )
  oneLineError(
    await ev('--policy', 'ok.json', '--action', 's3:x', '--resource', '*', '--context', 'nonsense'),
    /expected KEY=TYPE:VALUE/,
  )
  oneLineError(await ev('--policy', 'ok.json', '--resource', '*'), /--action is required/)
  oneLineError(await ev('--policy', 'ok.json', '--action', 's3:x'), /--resource is required/)
  oneLineError(await ev('--action', 's3:x', '--resource', '*'), /give at least one of --policy/)
  oneLineError(
    await ev('--trust-policy', 'trust.json', '--action', 'sts:AssumeRole', '--resource', '*'),
    /--trust-policy needs --principal/,
  )
  oneLineError(
    await ev('--policy', 'ok.json', '--action', 's3:x', '--resource', '*', '--output', 'yaml'),
    /--output must be json or text/,
  )
  oneLineError(
    await ev(
      '--policy',
      'ok.json',
      '--action',
      's3:x',
      '--resource',
      '*',
      '--principal',
      'x',
      '--principal-type',
      'Human',
    ),
    /--principal-type must be one of/,
  )
  oneLineError(
    await ev('--policy', 'trust.json', '--action', 's3:x', '--resource', '*'),
    /MalformedPolicyDocument: Policy document should not specify a principal\./,
  )
})

test('validate: valid, or every issue as FILE:LINE:COL: message (exit 1); --type picks the rules', async (t) => {
  const dir = files(t, {
    'ok.json': EKS_POLICY,
    'trust.json': TRUST,
    'bad.json':
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "GetObject"},\n    {"Sid": "a-b", "Effect": "Allow", "Action": "s3:x", "Resource": "*"}\n  ]\n}\n',
    'broken.json': '{"Version": "2012-10-17",',
  })
  const v = (...a: string[]) => runCli(['policy', 'validate', ...a], { cwd: dir })
  const ok = await v('ok.json')
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'valid\n', ''])
  const trust = await v('trust.json', '--type', 'trust')
  assert.deepEqual([trust.code, trust.stdout], [0, 'valid\n'])
  const asIdentity = await v('trust.json')
  assert.equal(asIdentity.code, 1)
  assert.match(
    asIdentity.stdout,
    /^trust\.json:\d+:\d+: Policy document should not specify a principal\.$/m,
  )
  const bad = await v('bad.json')
  assert.equal(bad.code, 1)
  assert.equal(
    bad.stdout,
    'bad.json:5:13: Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*\n' +
      'bad.json:4:5: Policy statement must contain resources.\n' +
      'bad.json:4:35: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.\n',
  )
  const broken = await v('broken.json', '--type', 'trust')
  assert.deepEqual(
    [broken.code, broken.stdout],
    [1, 'broken.json:1:26: This policy contains invalid Json\n'],
  )
  oneLineError(await v('missing.json'), /policy missing\.json: no such file/)
  oneLineError(
    await v('ok.json', '--type', 'scp'),
    /--type must be one of identity, trust, session, boundary, resource/,
  )
  oneLineError(await runCli(['policy', 'validate'], { cwd: dir }), /missing argument/)
})
