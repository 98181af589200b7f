/**
 * Interop: `@aws-sdk/client-s3` (its default checksum settings, path-style to the IP
 * endpoint) against a real `irsa up` process, with the endpoint, region and admin key of
 * `.irsa/env`: the common S3 operations, the default CRC32 stored and returned with
 * ChecksumMode ENABLED (a buffer body, and a stream body sent aws-chunked with a
 * trailer), an explicit CRC32C, conditional reads, multipart, configuration, ACLs, tags.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { startS3Stack } from '../helpers/s3-stack.js'

const B = 'sdk-b'

/** The service error's code (its `name`) and HTTP status, or `ok`. */
async function failure(p: Promise<unknown>): Promise<[string, number] | 'ok'> {
  try {
    await p
    return 'ok'
  } catch (e) {
    assert.ok(e instanceof S3ServiceException, String(e))
    return [e.name, e.$metadata.httpStatusCode ?? 0]
  }
}

const crc32Of = (b: Buffer): string => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(crc32(b))
  return out.toString('base64')
}

test(
  '@aws-sdk/client-s3 against irsa up: the common S3 operations',
  { timeout: 120_000 },
  async (t) => {
    const s = await startS3Stack(t)
    const c = new S3Client({
      region: s.region,
      endpoint: s.endpoint,
      forcePathStyle: true,
      credentials: s.admin,
      maxAttempts: 1,
    })
    t.after(() => {
      c.destroy()
    })
    const body = Buffer.from('sdk body '.repeat(200))

    await t.test(
      'buckets: CreateBucket rules, HeadBucket, GetBucketLocation, ListBuckets',
      async () => {
        assert.deepEqual(
          await failure(
            c.send(
              new CreateBucketCommand({
                Bucket: 'sdk-x',
                CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
              }),
            ),
          ),
          ['IllegalLocationConstraintException', 400],
        )
        await c.send(
          new CreateBucketCommand({
            Bucket: B,
            CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
          }),
        )
        assert.equal((await c.send(new HeadBucketCommand({ Bucket: B }))).BucketRegion, 'us-west-2')
        assert.equal(
          (await c.send(new GetBucketLocationCommand({ Bucket: B }))).LocationConstraint,
          'us-west-2',
        )
        const list = await c.send(new ListBucketsCommand({}))
        assert.deepEqual(
          list.Buckets?.map((b) => b.Name),
          [B],
        )
        assert.deepEqual(await failure(c.send(new HeadBucketCommand({ Bucket: 'sdk-none' }))), [
          'NotFound',
          404,
        ])
      },
    )

    await t.test(
      'objects: default CRC32 (buffer and stream), CRC32C, range, conditions',
      async () => {
        const put = await c.send(new PutObjectCommand({ Bucket: B, Key: 'o', Body: body }))
        assert.equal(put.ChecksumCRC32, crc32Of(body))
        assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`)
        const got = await c.send(
          new GetObjectCommand({ Bucket: B, Key: 'o', ChecksumMode: 'ENABLED' }),
        )
        assert.equal(got.ChecksumCRC32, crc32Of(body))
        assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body)

        const streamed = randomBytes(300_000)
        const sput = await c.send(
          new PutObjectCommand({
            Bucket: B,
            Key: 'stream',
            Body: Readable.from([streamed.subarray(0, 100_000), streamed.subarray(100_000)]),
            ContentLength: streamed.length,
          }),
        )
        assert.equal(sput.ChecksumCRC32, crc32Of(streamed))
        const shead = await c.send(
          new HeadObjectCommand({ Bucket: B, Key: 'stream', ChecksumMode: 'ENABLED' }),
        )
        assert.deepEqual([shead.ContentLength, shead.ChecksumCRC32], [300_000, crc32Of(streamed)])

        // CRC32C of "123456789" is 0xE3069283 (the check value of the Castagnoli CRC).
        const cput = await c.send(
          new PutObjectCommand({
            Bucket: B,
            Key: 'c',
            Body: Buffer.from('123456789'),
            ChecksumAlgorithm: 'CRC32C',
          }),
        )
        assert.equal(cput.ChecksumCRC32C, Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'))
        const chead = await c.send(
          new HeadObjectCommand({ Bucket: B, Key: 'c', ChecksumMode: 'ENABLED' }),
        )
        assert.equal(chead.ChecksumCRC32C, cput.ChecksumCRC32C)

        const range = await c.send(new GetObjectCommand({ Bucket: B, Key: 'o', Range: 'bytes=-4' }))
        assert.equal(
          range.ContentRange,
          `bytes ${body.length - 4}-${body.length - 1}/${body.length}`,
        )
        assert.equal(await range.Body!.transformToString(), 'ody ')
        // A 304 has no body: the SDK names a bodiless error other than a 404 `Unknown`
        // (loadRestXmlErrorCode), as it does for S3's own 304.
        assert.deepEqual(
          await failure(
            c.send(new GetObjectCommand({ Bucket: B, Key: 'o', IfNoneMatch: put.ETag })),
          ),
          ['Unknown', 304],
        )
        assert.deepEqual(
          await failure(c.send(new GetObjectCommand({ Bucket: B, Key: 'o', IfMatch: '"00"' }))),
          ['PreconditionFailed', 412],
        )
        assert.deepEqual(await failure(c.send(new GetObjectCommand({ Bucket: B, Key: 'none' }))), [
          'NoSuchKey',
          404,
        ])
      },
    )

    await t.test('listings, copy, DeleteObject(s)', async () => {
      for (const k of ['l/a', 'l/b', 'l/c/d'])
        await c.send(new PutObjectCommand({ Bucket: B, Key: k, Body: '' }))
      const v2 = await c.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'l/', Delimiter: '/' }))
      assert.deepEqual(
        [v2.Contents?.map((o) => o.Key), v2.CommonPrefixes?.map((p) => p.Prefix), v2.KeyCount],
        [['l/a', 'l/b'], ['l/c/'], 3],
      )
      const p1 = await c.send(new ListObjectsV2Command({ Bucket: B, MaxKeys: 3 }))
      const p2 = await c.send(
        new ListObjectsV2Command({
          Bucket: B,
          MaxKeys: 3,
          ContinuationToken: p1.NextContinuationToken,
        }),
      )
      assert.deepEqual(
        [
          p1.Contents?.map((o) => o.Key),
          p1.IsTruncated,
          p2.Contents?.map((o) => o.Key),
          p2.IsTruncated,
        ],
        [['c', 'l/a', 'l/b'], true, ['l/c/d', 'o', 'stream'], false],
      )
      const v1 = await c.send(
        new ListObjectsCommand({ Bucket: B, Prefix: 'l/', MaxKeys: 1, Delimiter: '/' }),
      )
      assert.deepEqual(
        [v1.Contents?.map((o) => o.Key), v1.IsTruncated, v1.NextMarker],
        [['l/a'], true, 'l/a'],
      )
      const copy = await c.send(
        new CopyObjectCommand({ Bucket: B, Key: 'copy', CopySource: `${B}/o` }),
      )
      assert.equal(copy.CopyObjectResult?.ETag, `"${createHash('md5').update(body).digest('hex')}"`)
      const del = await c.send(
        new DeleteObjectsCommand({
          Bucket: B,
          Delete: { Objects: ['l/a', 'l/b', 'l/c/d', 'copy'].map((Key) => ({ Key })) },
        }),
      )
      assert.deepEqual(del.Deleted?.map((d) => d.Key).sort(), ['copy', 'l/a', 'l/b', 'l/c/d'])
      await c.send(new DeleteObjectCommand({ Bucket: B, Key: 'c' }))
      assert.deepEqual(await failure(c.send(new HeadObjectCommand({ Bucket: B, Key: 'c' }))), [
        'NotFound',
        404,
      ])
    })

    await t.test('multipart: create, upload part, list parts, complete; abort', async () => {
      const part1 = randomBytes(5 * 1024 * 1024)
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'mp' }))
      const e1 = await c.send(
        new UploadPartCommand({ Bucket: B, Key: 'mp', UploadId, PartNumber: 1, Body: part1 }),
      )
      const e2 = await c.send(
        new UploadPartCommand({ Bucket: B, Key: 'mp', UploadId, PartNumber: 2, Body: 'end' }),
      )
      const parts = await c.send(new ListPartsCommand({ Bucket: B, Key: 'mp', UploadId }))
      assert.deepEqual(
        parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]),
        [
          [1, part1.length, e1.ETag],
          [2, 3, e2.ETag],
        ],
      )
      const done = await c.send(
        new CompleteMultipartUploadCommand({
          Bucket: B,
          Key: 'mp',
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: e1.ETag },
              { PartNumber: 2, ETag: e2.ETag },
            ],
          },
        }),
      )
      const md5s = Buffer.concat([e1.ETag, e2.ETag].map((e) => Buffer.from(e!.slice(1, -1), 'hex')))
      assert.equal(done.ETag, `"${createHash('md5').update(md5s).digest('hex')}-2"`)
      const got = await c.send(new GetObjectCommand({ Bucket: B, Key: 'mp' }))
      assert.ok(
        Buffer.from(await got.Body!.transformToByteArray()).equals(
          Buffer.concat([part1, Buffer.from('end')]),
        ),
      )
      const ab = await c.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'ab' }))
      await c.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'ab', UploadId: ab.UploadId }))
      assert.deepEqual(
        await failure(
          c.send(new ListPartsCommand({ Bucket: B, Key: 'ab', UploadId: ab.UploadId })),
        ),
        ['NoSuchUpload', 404],
      )
    })

    await t.test(
      'policy, public access block, ownership controls, object ACL, tagging',
      async () => {
        const Policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:DeleteObject',
              Resource: `arn:aws:s3:::${B}/keep/*`,
            },
          ],
        })
        await c.send(new PutBucketPolicyCommand({ Bucket: B, Policy }))
        assert.equal((await c.send(new GetBucketPolicyCommand({ Bucket: B }))).Policy, Policy)
        await c.send(new DeleteBucketPolicyCommand({ Bucket: B }))
        assert.deepEqual(await failure(c.send(new GetBucketPolicyCommand({ Bucket: B }))), [
          'NoSuchBucketPolicy',
          404,
        ])
        assert.deepEqual(
          await failure(
            c.send(new PutObjectAclCommand({ Bucket: B, Key: 'o', ACL: 'public-read' })),
          ),
          ['AccessControlListNotSupported', 400],
        )
        await c.send(
          new PutBucketOwnershipControlsCommand({
            Bucket: B,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
          }),
        )
        assert.equal(
          (await c.send(new GetBucketOwnershipControlsCommand({ Bucket: B }))).OwnershipControls
            ?.Rules?.[0]?.ObjectOwnership,
          'ObjectWriter',
        )
        assert.deepEqual(
          await failure(
            c.send(new PutObjectAclCommand({ Bucket: B, Key: 'o', ACL: 'public-read' })),
          ),
          ['AccessDenied', 403],
        )
        await c.send(
          new PutPublicAccessBlockCommand({
            Bucket: B,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: false,
              IgnorePublicAcls: false,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        )
        assert.equal(
          (await c.send(new GetPublicAccessBlockCommand({ Bucket: B })))
            .PublicAccessBlockConfiguration?.BlockPublicAcls,
          false,
        )
        await c.send(new PutObjectAclCommand({ Bucket: B, Key: 'o', ACL: 'public-read' }))
        const acl = await c.send(new GetObjectAclCommand({ Bucket: B, Key: 'o' }))
        assert.deepEqual(
          acl.Grants?.map((g) => [g.Grantee?.URI ?? g.Grantee?.Type, g.Permission]),
          [
            ['CanonicalUser', 'FULL_CONTROL'],
            ['http://acs.amazonaws.com/groups/global/AllUsers', 'READ'],
          ],
        )
        // The public-read object is now readable by anyone, unsigned.
        const anon = await fetch(`${s.endpoint}/${B}/o`)
        assert.equal(anon.status, 200)
        assert.deepEqual(Buffer.from(await anon.arrayBuffer()), body)
        await c.send(new DeletePublicAccessBlockCommand({ Bucket: B }))
        assert.deepEqual(await failure(c.send(new GetPublicAccessBlockCommand({ Bucket: B }))), [
          'NoSuchPublicAccessBlockConfiguration',
          404,
        ])
        await c.send(new DeleteBucketOwnershipControlsCommand({ Bucket: B }))
        assert.deepEqual(
          await failure(c.send(new GetBucketOwnershipControlsCommand({ Bucket: B }))),
          ['OwnershipControlsNotFoundError', 404],
        )
        await c.send(
          new PutObjectTaggingCommand({
            Bucket: B,
            Key: 'o',
            Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
          }),
        )
        assert.deepEqual(
          (await c.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'o' }))).TagSet,
          [{ Key: 'k', Value: 'v' }],
        )
        await c.send(new DeleteObjectTaggingCommand({ Bucket: B, Key: 'o' }))
        assert.deepEqual(
          (await c.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'o' }))).TagSet,
          [],
        )
      },
    )

    await t.test('DeleteBucket: BucketNotEmpty, then gone', async () => {
      assert.deepEqual(await failure(c.send(new DeleteBucketCommand({ Bucket: B }))), [
        'BucketNotEmpty',
        409,
      ])
      for (const Key of ['o', 'stream', 'mp'])
        await c.send(new DeleteObjectCommand({ Bucket: B, Key }))
      await c.send(new DeleteBucketCommand({ Bucket: B }))
      assert.deepEqual(await failure(c.send(new HeadBucketCommand({ Bucket: B }))), [
        'NotFound',
        404,
      ])
    })
  },
)
