/**
 * The stack's pure helpers: the env file (sourced by a real shell), the AWS profile text
 * and its merge into files holding other profiles, ports, the data directory, the
 * certificate names, admin key ids, and the decision log's text form.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  awsConfigText,
  awsCredentialsText,
  certificateNames,
  checkClusterName,
  choosePort,
  envFileText,
  formatDecisions,
  issuerUrlFor,
  newAdminAccessKeyId,
  parsePort,
  resolveDataDir,
  upsertIniSection,
} from '../../../src/stack/index.js'
import type { DecisionRecord } from '../../../src/store/index.js'

const CREDS = {
  accessKeyId: 'AKIAIRSASTACKTEST001',
  secretAccessKey: "it's/a+secret=with'quotes$HOME`x`",
  region: 'us-west-2',
  endpoint: 'http://127.0.0.1:4566',
}

test('the env file exports exactly the five variables, and a shell reads them back verbatim', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-env-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const file = join(dir, 'env')
  const text = envFileText(CREDS)
  writeFileSync(file, text)
  const exported = text.split('\n').filter((l) => l.startsWith('export '))
  assert.deepEqual(
    exported.map((l) => /^export (\w+)=/.exec(l)?.[1]),
    [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ENDPOINT_URL',
    ],
  )
  const r = spawnSync(
    'sh',
    [
      '-c',
      `. "${file}"; printf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_REGION" "$AWS_DEFAULT_REGION" "$AWS_ENDPOINT_URL"`,
    ],
    { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } },
  )
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(r.stdout.split('\n').slice(0, 5), [
    CREDS.accessKeyId,
    CREDS.secretAccessKey,
    'us-west-2',
    'us-west-2',
    CREDS.endpoint,
  ])
})

test('the irsa profile: [profile irsa] in config, [irsa] in credentials', () => {
  assert.equal(
    awsConfigText('irsa', CREDS),
    '[profile irsa]\nregion = us-west-2\noutput = json\nendpoint_url = http://127.0.0.1:4566\ns3 =\n    signature_version = s3v4\n',
  )
  assert.equal(
    awsCredentialsText('irsa', CREDS),
    `[irsa]\naws_access_key_id = ${CREDS.accessKeyId}\naws_secret_access_key = ${CREDS.secretAccessKey}\n`,
  )
  assert.equal(awsConfigText('default', CREDS).split('\n')[0], '[default]')
})

test('merging a profile replaces its own section and keeps every other one', () => {
  const before =
    '[default]\nregion = eu-west-1\n\n[profile irsa]\nregion = old\n\n[profile x]\nregion = y\n'
  const after = upsertIniSection(before, '[profile irsa]', '[profile irsa]\nregion = new\n')
  assert.equal(
    after,
    '[default]\nregion = eu-west-1\n\n[profile irsa]\nregion = new\n\n[profile x]\nregion = y\n',
  )
  assert.equal(upsertIniSection('', '[irsa]', '[irsa]\na = 1\n'), '[irsa]\na = 1\n')
  assert.equal(
    upsertIniSection('[default]\na = 1\n', '[irsa]', '[irsa]\nb = 2\n'),
    '[default]\na = 1\n\n[irsa]\nb = 2\n',
  )
  // Idempotent.
  assert.equal(upsertIniSection(after, '[profile irsa]', '[profile irsa]\nregion = new\n'), after)
})

test('ports: the flag wins, then the saved port, then 0; bad values are one-line errors', () => {
  assert.equal(choosePort(0, '4566'), 0)
  assert.equal(choosePort(8080, '4566'), 8080)
  assert.equal(choosePort(undefined, '4566'), 4566)
  assert.equal(choosePort(undefined, undefined), 0)
  assert.equal(choosePort(undefined, 'garbage'), 0)
  assert.equal(parsePort('0', '--aws-port'), 0)
  assert.equal(parsePort('65535', '--aws-port'), 65535)
  for (const bad of ['65536', '-1', 'x', '', '1.5'])
    assert.throws(() => parsePort(bad, '--aws-port'), /--aws-port must be a port number/)
})

test('the data directory: flag, then IRSA_DATA_DIR, then ./.irsa, relative to cwd', () => {
  assert.equal(resolveDataDir('d', { IRSA_DATA_DIR: '/e' }, '/w'), '/w/d')
  assert.equal(resolveDataDir(undefined, { IRSA_DATA_DIR: '/e' }, '/w'), '/e')
  assert.equal(resolveDataDir(undefined, {}, '/w'), '/w/.irsa')
})

test('issuer URLs have EKS form; wildcard listen addresses are reached on loopback', () => {
  assert.equal(
    issuerUrlFor('127.0.0.1', 9443)('AB'.repeat(16)),
    `https://127.0.0.1:9443/id/${'AB'.repeat(16)}`,
  )
  assert.equal(issuerUrlFor('::1', 9443)('X'), 'https://[::1]:9443/id/X')
  assert.equal(issuerUrlFor('0.0.0.0', 1)('X'), 'https://127.0.0.1:1/id/X')
})

test('certificate names cover the listen host', () => {
  assert.deepEqual(certificateNames('127.0.0.1'), { dnsNames: [], ipAddresses: ['127.0.0.1'] })
  assert.deepEqual(certificateNames('::1'), { dnsNames: [], ipAddresses: ['::1'] })
  assert.deepEqual(certificateNames('localhost'), {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
  })
})

test('admin access key ids are AKIA and 16 base32 characters', () => {
  for (let i = 0; i < 20; i++) assert.match(newAdminAccessKeyId(), /^AKIA[A-Z2-7]{16}$/)
  assert.equal(newAdminAccessKeyId(new Uint8Array(16)), 'AKIA' + 'A'.repeat(16))
})

test('cluster names follow EKS’s rule', () => {
  for (const ok of ['local', 'a', 'my_cluster-2', '9'.repeat(100)])
    assert.equal(checkClusterName(ok), ok)
  for (const bad of ['', '-x', '_x', 'a.b', 'a b', 'x'.repeat(101)])
    assert.throws(() => checkClusterName(bad), /cluster name/)
})

test('decisions as text: a header line each, reasons indented below', () => {
  const d: DecisionRecord = {
    seq: 1,
    requestId: 'req-1',
    at: Date.UTC(2026, 0, 2, 3, 4, 5),
    principal: 'arn:aws:iam::111122223333:root',
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: 'arn:aws:iam::111122223333:role/app',
    decision: 'implicitDeny',
    errorCode: 'AccessDenied',
    reasons: ['no statement matched', { statement: 0, why: 'the "sub" differs' }],
  }
  assert.equal(
    formatDecisions([d]),
    '2026-01-02T03:04:05.000Z  req-1  implicitDeny  sts:AssumeRoleWithWebIdentity  ' +
      'arn:aws:iam::111122223333:root  arn:aws:iam::111122223333:role/app  AccessDenied\n' +
      '    - no statement matched\n    - statement: 0\n      why: the "sub" differs\n',
  )
  // Objects read as `key: value` lines, nested lists as bullets; no JSON, no escapes.
  const nested: DecisionRecord = {
    ...d,
    reasons: { check: 'signature', layers: [{ layer: 'identity', statements: ['#0 Allow'] }] },
  }
  const text = formatDecisions([nested])
  assert.ok(!text.includes('{') && !text.includes('\\"'), text)
  assert.match(
    text,
    /\n {4}check: signature\n {4}layers:\n {6}- layer: identity\n {8}statements:\n {10}- #0 Allow\n$/,
  )
  assert.equal(formatDecisions([]), 'no decisions recorded\n')
})
