/**
 * E2E: the EKS Anywhere guide's self-hosted issuer, end to end on the built `irsa up`,
 * with the real AWS CLI, openssl, curl and kubectl. The bucket is made as AWS makes one
 * today (ACLs disabled, Block Public Access on), so the guide's first `aws s3 cp --acl
 * public-read` fails as it does on AWS and the user loosens ownership and public access;
 * then a cluster with `openssl genrsa`'s key and the bucket's HTTPS URL as its issuer,
 * its discovery.json and keys.json uploaded public-read and read back anonymously over
 * HTTPS, the provider registered with its thumbprint, and a token signed by the
 * cluster's key exchanged by STS, which read the JWKS from the bucket over HTTPS: with
 * keys.json not yet uploaded the same token is refused (IDPCommunicationError).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stackEnv } from '../helpers/s3-e2e.js'
import { awsCli, oracle, openssl, runProcess } from '../helpers/tools.js'
import {
  assertNoSecretInLogs,
  aws,
  irsa,
  irsaPlain,
  secrets,
  startUp,
  stopUp,
  tempDir,
  type Run,
  ok,
} from './up-process.js'

const kubectl = (): { skip: string | false } =>
  oracle('kubectl', ['kubectl', 'version', '--client'])
const curl = (): { skip: string | false } => oracle('curl', ['curl', '--version'])

const BUCKET = 'eksa-oidc-issuer'

function fails(r: Run, code: string): void {
  assert.notEqual(r.code, 0, `expected ${code}, got success: ${r.stdout}`)
  assert.match(r.stderr, new RegExp(`\\(${code}\\)`), r.stderr)
}

/** An anonymous GET with curl trusting `ca`: status and body. */
async function curlGet(url: string, ca: string): Promise<{ status: string; body: string }> {
  const r = await runProcess('curl', ['-s', '--cacert', ca, '-w', '\n%{http_code}', url])
  assert.equal(r.code, 0, r.stderr)
  const cut = r.stdout.lastIndexOf('\n')
  return { status: r.stdout.slice(cut + 1), body: r.stdout.slice(0, cut) }
}

test(
  'EKS Anywhere: a self-hosted issuer in a bucket served over HTTPS, trusted by STS',
  { skip: awsCli().skip || openssl().skip || kubectl().skip || curl().skip, timeout: 110_000 },
  async (t) => {
    const work = tempDir(t, 'irsa-s3-eksa-')
    const dir = join(work, 'data')
    const up = await startUp(dir)
    t.after(() => stopUp(up, 'SIGKILL'))
    const env = stackEnv(dir)
    secrets.add(env.keys.secretAccessKey)
    const cli = (args: string[]): Promise<Run> => aws(up, args, { cwd: work })
    const hostPort = new URL(env.httpsUrl).host
    const issuer = `https://${hostPort}/${BUCKET}`
    const provider = `${hostPort}/${BUCKET}`

    // The bucket, as AWS makes it today: the guide's public-read upload is refused.
    ok(
      await cli([
        's3api',
        'create-bucket',
        '--bucket',
        BUCKET,
        '--create-bucket-configuration',
        `LocationConstraint=${env.region}`,
      ]),
    )
    writeFileSync(join(work, 'discovery.json'), '{}')
    const discoveryKey = `s3://${BUCKET}/.well-known/openid-configuration`
    const cpPublic = (file: string, to: string): Promise<Run> =>
      cli(['s3', 'cp', '--acl', 'public-read', `./${file}`, to])
    fails(await cpPublic('discovery.json', discoveryKey), 'AccessControlListNotSupported')

    // Ownership loosened, Block Public Access still on: a public ACL is still refused.
    ok(
      await cli([
        's3api',
        'put-bucket-ownership-controls',
        '--bucket',
        BUCKET,
        '--ownership-controls',
        'Rules=[{ObjectOwnership=BucketOwnerPreferred}]',
      ]),
    )
    fails(await cpPublic('discovery.json', discoveryKey), 'AccessDenied')
    fails(
      await cli([
        's3api',
        'head-object',
        '--bucket',
        BUCKET,
        '--key',
        '.well-known/openid-configuration',
      ]),
      '404',
    )
    ok(
      await cli([
        's3api',
        'put-public-access-block',
        '--bucket',
        BUCKET,
        '--public-access-block-configuration',
        'BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false',
      ]),
    )

    // The cluster: openssl's key, the bucket's HTTPS URL as issuer; irsa writes the files.
    const keyFile = join(work, 'key.pem')
    ok(await runProcess('openssl', ['genrsa', '-out', keyFile, '2048']))
    ok(await irsa(up, ['cluster', 'create', 'eksa', '--issuer', issuer, '--signing-key', keyFile]))
    writeFileSync(
      join(work, 'discovery.json'),
      ok(await irsa(up, ['cluster', 'discovery', 'eksa'])),
    )
    writeFileSync(join(work, 'keys.json'), ok(await irsa(up, ['cluster', 'jwks', 'eksa'])))
    const discovery = readFileSync(join(work, 'discovery.json'), 'utf8')
    const keys = readFileSync(join(work, 'keys.json'), 'utf8')
    assert.equal((JSON.parse(discovery) as { jwks_uri: string }).jwks_uri, `${issuer}/keys.json`)
    ok(await cpPublic('discovery.json', discoveryKey))
    const got = await curlGet(`${issuer}/.well-known/openid-configuration`, env.caBundle)
    assert.deepEqual(got, { status: '200', body: discovery }, 'anonymous HTTPS read, byte for byte')
    const missing = await curlGet(`${issuer}/keys.json`, env.caBundle)
    assert.equal(missing.status, '403', 'not uploaded yet: S3 answers an anonymous caller 403')

    // The provider, its thumbprint from the bucket's HTTPS host, a role for default:app.
    const thumb = await irsaPlain([
      'oidc',
      'thumbprint',
      issuer,
      '--ca',
      env.caBundle,
      '--output',
      'thumbprint',
    ])
    const thumbprint = ok(thumb).trim()
    assert.match(thumbprint, /^[0-9a-f]{40}$/)
    ok(
      await cli([
        'iam',
        'create-open-id-connect-provider',
        '--url',
        issuer,
        '--client-id-list',
        'sts.amazonaws.com',
        '--thumbprint-list',
        thumbprint,
      ]),
    )
    const account = '111122223333'
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${provider}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${provider}:sub`]: 'system:serviceaccount:default:app',
              [`${provider}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ],
    }
    writeFileSync(join(work, 'trust.json'), JSON.stringify(trust))
    ok(
      await cli([
        'iam',
        'create-role',
        '--role-name',
        'eksa-app',
        '--assume-role-policy-document',
        'file://trust.json',
      ]),
    )

    // A token from the eksa cluster's own key, through kubectl.
    const kube = (args: string[]): Promise<Run> =>
      runProcess('kubectl', [
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--context',
        'eksa',
        '-n',
        'default',
        ...args,
      ])
    ok(await kube(['create', 'serviceaccount', 'app']))
    const token = ok(await kube(['create', 'token', 'app', '--audience', 'sts.amazonaws.com']))
    writeFileSync(join(work, 'tok'), token.trim())
    secrets.add(token.trim())
    const assume = (): Promise<Run> =>
      cli([
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        `arn:aws:iam::${account}:role/eksa-app`,
        '--role-session-name',
        'eksa-e2e',
        '--web-identity-token',
        'file://tok',
      ])
    fails(await assume(), 'IDPCommunicationError')

    // keys.json uploaded: the same token is exchanged (STS re-fetches at most once a second).
    // This one over HTTPS, as `--endpoint-url $IRSA_AWS_HTTPS_URL --ca-bundle $IRSA_CA_BUNDLE`.
    ok(
      await cli([
        's3',
        'cp',
        '--acl',
        'public-read',
        './keys.json',
        `s3://${BUCKET}/keys.json`,
        '--endpoint-url',
        env.httpsUrl,
        '--ca-bundle',
        env.caBundle,
      ]),
    )
    assert.deepEqual(await curlGet(`${issuer}/keys.json`, env.caBundle), {
      status: '200',
      body: keys,
    })
    await sleep(1_100)
    const out = JSON.parse(ok(await assume())) as {
      AssumedRoleUser: { Arn: string }
      Credentials: { SecretAccessKey: string; SessionToken: string }
    }
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${account}:assumed-role/eksa-app/eksa-e2e`)
    secrets.add(out.Credentials.SecretAccessKey)
    secrets.add(out.Credentials.SessionToken)
    assert.match(up.stderr(), new RegExp(`"issuer":"${issuer}","keys":1,"msg":"jwks fetched"`))

    // An object of a bucket nobody opened up: an anonymous GET is S3's 403 AccessDenied.
    writeFileSync(join(work, 'private.txt'), 'not for everyone')
    ok(
      await cli([
        's3api',
        'create-bucket',
        '--bucket',
        'eksa-private',
        '--create-bucket-configuration',
        `LocationConstraint=${env.region}`,
      ]),
    )
    ok(await cli(['s3', 'cp', './private.txt', 's3://eksa-private/private.txt']))
    const denied = await curlGet(`${env.httpsUrl}/eksa-private/private.txt`, env.caBundle)
    assert.equal(denied.status, '403')
    assert.match(
      denied.body,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/,
    )
    const mine = ok(await cli(['s3', 'cp', 's3://eksa-private/private.txt', '-']))
    assert.equal(mine, 'not for everyone', 'the owner still reads it')
    await stopUp(up)
    assertNoSecretInLogs()
  },
)
