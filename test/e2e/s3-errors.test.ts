/**
 * E2E: bad S3 input against the built `irsa up` gets S3's errors. Each case is sent by the
 * real AWS CLI where it can send it (the CLI names the code it read), and as a raw request
 * signed by the SDK's own signer (the status, and S3's XML error document). A PUT that
 * fails its checksum, and one whose client hangs up mid-body, leave the key absent or
 * holding the object it held before, and no stray file under DIR/s3.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  putThenHangUp,
  s3Error,
  sendS3,
  stackEnv,
  type RawS3Request,
  type StackEnv,
} from '../helpers/s3-e2e.js'
import { awsCli } from '../helpers/tools.js'
import {
  assertNoSecretInLogs,
  aws,
  secrets,
  startUp,
  stopUp,
  tempDir,
  type Run,
  ok,
} from './up-process.js'

const BUCKET = 'errors-bucket'

function cliFails(r: Run, code: string): void {
  assert.notEqual(r.code, 0, `expected ${code}, got success: ${r.stdout}`)
  assert.match(r.stderr, new RegExp(`An error occurred \\(${code}\\)`), r.stderr)
}

/** S3's messages for these codes, as AWS words them (its error-code reference). */
const MESSAGES: Readonly<Record<string, string>> = {
  NoSuchBucket: 'The specified bucket does not exist',
  NoSuchKey: 'The specified key does not exist.',
  BucketAlreadyOwnedByYou:
    'Your previous request to create the named bucket succeeded and you already own it.',
  BucketNotEmpty: 'The bucket you tried to delete is not empty',
  InvalidBucketName: 'The specified bucket is not valid.',
  SignatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  InvalidDigest: 'The Content-MD5 you specified is not valid.',
  EntityTooSmall: 'Your proposed upload is smaller than the minimum allowed size',
  MalformedXML:
    'The XML you provided was not well-formed or did not validate against our published schema',
}

/** Sends `r` signed with the stack's admin key and checks S3's error document. */
async function rawFails(
  env: StackEnv,
  r: Omit<RawS3Request, 'origin' | 'region'>,
  status: number,
  code: string,
): Promise<string> {
  const res = await sendS3({ origin: env.endpoint, keys: env.keys, region: env.region, ...r })
  assert.equal(res.status, status, `${r.method} ${r.path}: ${res.body}`)
  assert.equal(res.headers['content-type'], 'application/xml')
  assert.ok(typeof res.headers['x-amz-request-id'] === 'string')
  const err = s3Error(res.body)
  assert.ok(err !== undefined, `not S3's error document: ${res.body}`)
  assert.equal(err.code, code, res.body)
  const message = MESSAGES[code]
  if (message !== undefined) assert.equal(err.message, message)
  return err.message
}

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('base64')

/** Files under DIR/s3/tmp and DIR/s3/data. */
function s3Files(dir: string): { tmp: string[]; data: string[] } {
  const list = (sub: string): string[] => readdirSync(join(dir, 's3', sub))
  return { tmp: list('tmp'), data: list('data') }
}

async function objectBody(env: StackEnv, key: string): Promise<{ status: number; body: string }> {
  const r = await sendS3({
    origin: env.endpoint,
    keys: env.keys,
    region: env.region,
    method: 'GET',
    path: `/${BUCKET}/${key}`,
  })
  return { status: r.status, body: r.body }
}

test(
  "bad S3 input gets S3's errors; failed and interrupted PUTs leave nothing behind",
  { skip: awsCli().skip, timeout: 110_000 },
  async (t) => {
    const work = tempDir(t, 'irsa-s3-errors-')
    const dir = join(work, 'data')
    const up = await startUp(dir)
    t.after(() => stopUp(up, 'SIGKILL'))
    const env = stackEnv(dir)
    secrets.add(env.keys.secretAccessKey)
    const cli = (args: string[]): Promise<Run> => aws(up, args, { cwd: work })
    const location = `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${env.region}</LocationConstraint></CreateBucketConfiguration>`
    const mkBucket = (name: string): Promise<Run> =>
      cli([
        's3api',
        'create-bucket',
        '--bucket',
        name,
        '--create-bucket-configuration',
        `LocationConstraint=${env.region}`,
      ])
    writeFileSync(join(work, 'small.txt'), 'small body')

    await t.test('NoSuchBucket, NoSuchKey', async () => {
      cliFails(await cli(['s3api', 'head-bucket', '--bucket', 'no-such-bucket']), '404')
      cliFails(
        await cli(['s3api', 'get-object', '--bucket', 'no-such-bucket', '--key', 'k', 'out']),
        'NoSuchBucket',
      )
      await rawFails(env, { method: 'GET', path: '/no-such-bucket/k' }, 404, 'NoSuchBucket')
      ok(await mkBucket(BUCKET))
      cliFails(
        await cli(['s3api', 'get-object', '--bucket', BUCKET, '--key', 'nope', 'out']),
        'NoSuchKey',
      )
      const res = await sendS3({
        origin: env.endpoint,
        keys: env.keys,
        region: env.region,
        method: 'GET',
        path: `/${BUCKET}/no%20such`,
      })
      assert.equal(res.status, 404)
      assert.equal(s3Error(res.body)?.code, 'NoSuchKey')
      assert.match(res.body, /<Key>no such<\/Key>/)
    })

    await t.test('BucketAlreadyOwnedByYou, InvalidBucketName, BucketNotEmpty', async () => {
      cliFails(await mkBucket(BUCKET), 'BucketAlreadyOwnedByYou')
      await rawFails(
        env,
        { method: 'PUT', path: `/${BUCKET}`, body: location },
        409,
        'BucketAlreadyOwnedByYou',
      )
      for (const bad of ['Bad_Name', 'ab', 'a..b', '192.168.1.1', 'ends-'])
        cliFails(await mkBucket(bad), 'InvalidBucketName')
      await rawFails(
        env,
        { method: 'PUT', path: '/Bad_Name', body: location },
        400,
        'InvalidBucketName',
      )
      ok(
        await cli([
          's3api',
          'put-object',
          '--bucket',
          BUCKET,
          '--key',
          'keep',
          '--body',
          'small.txt',
        ]),
      )
      cliFails(await cli(['s3api', 'delete-bucket', '--bucket', BUCKET]), 'BucketNotEmpty')
      await rawFails(env, { method: 'DELETE', path: `/${BUCKET}` }, 409, 'BucketNotEmpty')
    })

    await t.test('SignatureDoesNotMatch for a wrong secret', async () => {
      const wrong = { accessKeyId: env.keys.accessKeyId, secretAccessKey: 'x'.repeat(40) }
      const r = await aws(up, ['s3api', 'list-objects-v2', '--bucket', BUCKET], {
        cwd: work,
        creds: {
          AccessKeyId: wrong.accessKeyId,
          SecretAccessKey: wrong.secretAccessKey,
          SessionToken: '',
        },
      })
      cliFails(r, 'SignatureDoesNotMatch')
      await rawFails(
        env,
        { method: 'GET', path: `/${BUCKET}`, query: { 'list-type': '2' }, keys: wrong },
        403,
        'SignatureDoesNotMatch',
      )
    })

    await t.test('Content-MD5: BadDigest when wrong, InvalidDigest when malformed', async () => {
      const args = [
        's3api',
        'put-object',
        '--bucket',
        BUCKET,
        '--key',
        'md5',
        '--body',
        'small.txt',
      ]
      cliFails(await cli([...args, '--content-md5', md5('other')]), 'BadDigest')
      cliFails(await cli([...args, '--content-md5', 'not-an-md5']), 'InvalidDigest')
      const put = { method: 'PUT', path: `/${BUCKET}/md5`, body: 'small body' }
      const bad = await rawFails(
        env,
        { ...put, headers: { 'content-md5': md5('other') } },
        400,
        'BadDigest',
      )
      assert.equal(bad, 'The Content-MD5 you specified did not match what we received.')
      await rawFails(env, { ...put, headers: { 'content-md5': 'AAAA' } }, 400, 'InvalidDigest')
      assert.equal((await objectBody(env, 'md5')).status, 404, 'nothing was stored')
      ok(await cli([...args, '--content-md5', md5('small body')]))
    })

    await t.test('a wrong flexible checksum is BadDigest; the previous object stays', async () => {
      const wrong = Buffer.alloc(4).toString('base64')
      cliFails(
        await cli([
          's3api',
          'put-object',
          '--bucket',
          BUCKET,
          '--key',
          'sum',
          '--body',
          'small.txt',
          '--checksum-crc32',
          wrong,
        ]),
        'BadDigest',
      )
      assert.equal((await objectBody(env, 'sum')).status, 404, 'a new key stays absent')
      const put = { method: 'PUT', path: `/${BUCKET}/keep`, body: 'replacement' }
      const msg = await rawFails(
        env,
        {
          ...put,
          headers: { 'x-amz-checksum-sha256': createHash('sha256').update('x').digest('base64') },
        },
        400,
        'BadDigest',
      )
      assert.equal(
        msg,
        'The x-amz-checksum-sha256 you specified did not match the calculated checksum.',
      )
      assert.deepEqual(await objectBody(env, 'keep'), { status: 200, body: 'small body' })
    })

    await t.test('EntityTooSmall for a short part other than the last', async () => {
      const created = JSON.parse(
        ok(await cli(['s3api', 'create-multipart-upload', '--bucket', BUCKET, '--key', 'mp'])),
      ) as { UploadId: string }
      const id = created.UploadId
      const parts: { ETag: string; PartNumber: number }[] = []
      for (const n of [1, 2]) {
        const out = JSON.parse(
          ok(
            await cli([
              's3api',
              'upload-part',
              '--bucket',
              BUCKET,
              '--key',
              'mp',
              '--upload-id',
              id,
              '--part-number',
              String(n),
              '--body',
              'small.txt',
            ]),
          ),
        ) as { ETag: string }
        parts.push({ ETag: out.ETag, PartNumber: n })
      }
      writeFileSync(join(work, 'parts.json'), JSON.stringify({ Parts: parts }))
      const complete = [
        's3api',
        'complete-multipart-upload',
        '--bucket',
        BUCKET,
        '--key',
        'mp',
        '--upload-id',
        id,
        '--multipart-upload',
        'file://parts.json',
      ]
      cliFails(await cli(complete), 'EntityTooSmall')
      const xml = `<CompleteMultipartUpload>${parts
        .map((p) => `<Part><ETag>${p.ETag}</ETag><PartNumber>${p.PartNumber}</PartNumber></Part>`)
        .join('')}</CompleteMultipartUpload>`
      await rawFails(
        env,
        { method: 'POST', path: `/${BUCKET}/mp`, query: { uploadId: id }, body: xml },
        400,
        'EntityTooSmall',
      )
      const small = await sendS3({
        origin: env.endpoint,
        keys: env.keys,
        region: env.region,
        method: 'POST',
        path: `/${BUCKET}/mp`,
        query: { uploadId: id },
        body: xml,
      })
      const first = parts[0]?.ETag.replace(/"/g, '') ?? ''
      assert.match(
        small.body,
        new RegExp(
          `</Message><ProposedSize>10</ProposedSize><MinSizeAllowed>5242880</MinSizeAllowed><PartNumber>1</PartNumber><ETag>${first}</ETag><RequestId>`,
        ),
        'the part S3 names: its size, the minimum, its number and ETag',
      )
      await rawFails(
        env,
        {
          method: 'POST',
          path: `/${BUCKET}/mp`,
          query: { uploadId: id },
          body: '<CompleteMultipartUpload><Part>',
        },
        400,
        'MalformedXML',
      )
      ok(
        await cli([
          's3api',
          'abort-multipart-upload',
          '--bucket',
          BUCKET,
          '--key',
          'mp',
          '--upload-id',
          id,
        ]),
      )
    })

    await t.test('malformed XML bodies are MalformedXML', async () => {
      cliFails(
        await cli([
          's3api',
          'put-bucket-ownership-controls',
          '--bucket',
          BUCKET,
          '--ownership-controls',
          'Rules=[{ObjectOwnership=NotAnOwnership}]',
        ]),
        'MalformedXML',
      )
      const bodies: [string, string][] = [
        ['ownershipControls', '<OwnershipControls><Rule>'],
        ['ownershipControls', '<NotOwnershipControls/>'],
        ['publicAccessBlock', 'not xml at all'],
        ['tagging', '<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging'],
        ['delete', '<Delete><Object><Key>k</Key></Object>'],
        [
          'publicAccessBlock',
          '<!DOCTYPE x [<!ENTITY e "y">]><PublicAccessBlockConfiguration>&e;</PublicAccessBlockConfiguration>',
        ],
      ]
      for (const [sub, body] of bodies) {
        const method = sub === 'delete' ? 'POST' : 'PUT'
        const path = sub === 'tagging' ? `/${BUCKET}/keep` : `/${BUCKET}`
        await rawFails(
          env,
          {
            method,
            path,
            query: { [sub]: '' },
            body,
            headers: { 'content-md5': md5(body) },
          },
          400,
          'MalformedXML',
        )
      }
      const controls = JSON.parse(
        ok(await cli(['s3api', 'get-bucket-ownership-controls', '--bucket', BUCKET])),
      ) as { OwnershipControls: { Rules: { ObjectOwnership: string }[] } }
      assert.deepEqual(
        controls.OwnershipControls.Rules.map((r) => r.ObjectOwnership),
        ['BucketOwnerEnforced'],
        'no refused body changed the bucket',
      )
    })

    await t.test('an interrupted PUT leaves the key as it was, and no stray file', async () => {
      const big = randomBytes(1 << 20)
      const at = (key: string): RawS3Request => ({
        origin: env.endpoint,
        keys: env.keys,
        region: env.region,
        method: 'PUT',
        path: `/${BUCKET}/${key}`,
      })
      await putThenHangUp(at('cut-new'), big.length, big.subarray(0, big.length / 2))
      await putThenHangUp(at('keep'), big.length, big.subarray(0, big.length / 2))
      const aborted = (): number =>
        up
          .stderr()
          .split('\n')
          .filter((l) => l.includes('"msg":"s3 request aborted"') && l.includes('"method":"PUT"'))
          .length
      for (let i = 0; i < 50 && aborted() < 2; i++) await sleep(100)
      assert.equal(aborted(), 2, 'both PUTs were cut off mid-body, not refused up front')
      assert.equal((await objectBody(env, 'cut-new')).status, 404)
      assert.deepEqual(await objectBody(env, 'keep'), { status: 200, body: 'small body' })
      const listed = JSON.parse(
        ok(
          await cli(['s3api', 'list-objects-v2', '--bucket', BUCKET, '--query', 'Contents[].Key']),
        ),
      ) as string[]
      assert.deepEqual(listed.sort(), ['keep', 'md5'])
      // The aborted uploads' temp files go with their requests: poll a little for them.
      let files = s3Files(dir)
      for (let i = 0; i < 50 && files.tmp.length > 0; i++) {
        await sleep(100)
        files = s3Files(dir)
      }
      assert.deepEqual(files.tmp, [], 'no temp file left behind')
      assert.equal(
        files.data.length,
        listed.length,
        `one data file per object: ${files.data.join(' ')}`,
      )
    })

    await t.test('after a restart the sweep finds nothing left over', async () => {
      assert.deepEqual(await stopUp(up), { code: 0, signal: null })
      const again = await startUp(dir, [], { freePorts: false })
      t.after(() => stopUp(again, 'SIGKILL'))
      const files = s3Files(dir)
      assert.deepEqual(files.tmp, [])
      assert.equal(files.data.length, 2)
      assert.deepEqual(await objectBody(env, 'keep'), { status: 200, body: 'small body' })
      assert.deepEqual(await objectBody(env, 'md5'), { status: 200, body: 'small body' })
      assert.deepEqual(await stopUp(again), { code: 0, signal: null })
      assertNoSecretInLogs()
    })
  },
)
