/**
 * Interop: the real AWS CLI (`aws s3`, `aws s3api`) against a real `irsa up` process,
 * after `source .irsa/env` as a user types it: a 20 MB multipart `aws s3 cp` round trip
 * byte for byte, CreateBucket's LocationConstraint rules, objects (ranges, conditions,
 * copies), listings and deletes. The second half is s3-stack-cli-config.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { awsCli } from '../helpers/tools.js'
import { startS3Stack, type S3Stack } from '../helpers/s3-stack.js'

const json = (s: string): unknown => JSON.parse(s) as unknown

test('the AWS CLI against irsa up: buckets, objects, listings', { timeout: 240_000 }, async (t) => {
  const o = awsCli()
  if (o.skip !== false) {
    t.skip(o.skip)
    return
  }
  const s: S3Stack = await startS3Stack(t)

  await t.test('aws s3: mb, a 20 MB multipart cp round trip, ls, rm, rb', async () => {
    const out = await s.ok(`head -c 20971520 /dev/urandom > big
aws s3 mb s3://cli-big
aws s3 cp big s3://cli-big/dir/big --only-show-errors
aws s3 cp s3://cli-big/dir/big back --only-show-errors
cmp big back && echo same
aws s3api head-object --bucket cli-big --key dir/big --query '[ContentLength, ETag]' --output text
aws s3 ls s3://cli-big
aws s3 ls s3://cli-big/dir/
aws s3 rm s3://cli-big/dir/big --only-show-errors
aws s3 rb s3://cli-big`)
    const lines = out.trim().split('\n')
    assert.equal(lines[0], 'make_bucket: cli-big')
    assert.equal(lines[1], 'same')
    // The CLI splits 20 MB into 8 MiB parts: a multipart ETag names its part count.
    assert.match(lines[2] ?? '', /^20971520\t"[0-9a-f]{32}-3"$/)
    assert.match(lines[3] ?? '', /^ +PRE dir\/$/)
    assert.match(lines[4] ?? '', /^\S+ \S+ +20971520 big$/)
    assert.equal(lines[5], 'remove_bucket: cli-big')
    assert.equal(lines.length, 6, out)
  })

  await t.test('CreateBucket: the LocationConstraint rules of a us-west-2 endpoint', async () => {
    assert.equal(s.region, 'us-west-2')
    assert.match(
      await s.fails('aws s3api create-bucket --bucket cli-nolc'),
      /\(IllegalLocationConstraintException\).*The unspecified location constraint is incompatible for the region specific endpoint this request was sent to\./,
    )
    assert.match(
      await s.fails(
        'aws s3api create-bucket --bucket cli-eu --create-bucket-configuration LocationConstraint=eu-west-1',
      ),
      /\(IllegalLocationConstraintException\).*The eu-west-1 location constraint is incompatible/,
    )
    assert.match(
      await s.fails(
        'aws s3api create-bucket --bucket cli-e1 --region us-east-1 --create-bucket-configuration LocationConstraint=us-east-1',
      ),
      /\(InvalidLocationConstraint\).*The specified location-constraint is not valid/,
    )
    const made =
      await s.ok(`aws s3api create-bucket --bucket cli-b --create-bucket-configuration LocationConstraint=us-west-2 --query Location --output text
aws s3api create-bucket --bucket cli-east --region us-east-1 --query Location --output text
aws s3api get-bucket-location --bucket cli-b --query LocationConstraint --output text
aws s3api get-bucket-location --bucket cli-east --query LocationConstraint --output text
aws s3api head-bucket --bucket cli-b --query BucketRegion --output text
aws s3api list-buckets --query 'Buckets[].Name' --output text`)
    assert.deepEqual(made.trim().split('\n'), [
      '/cli-b',
      '/cli-east',
      'us-west-2',
      'None',
      'us-west-2',
      'cli-b\tcli-east',
    ])
    assert.match(
      await s.fails(
        'aws s3api create-bucket --bucket cli-b --create-bucket-configuration LocationConstraint=us-west-2',
      ),
      /\(BucketAlreadyOwnedByYou\)/,
    )
  })

  await t.test('objects: put, get with Range and conditions, head, copy, delete', async () => {
    const out = await s.ok(`printf 'hello, s3 world' > small
ETAG=$(aws s3api put-object --bucket cli-b --key a/one.txt --body small --content-type text/plain --metadata k=v --query ETag --output text)
echo "$ETAG"
aws s3api get-object --bucket cli-b --key a/one.txt --range bytes=7-8 part --query '[ContentRange, ContentLength]' --output text
cat part; echo
aws s3api head-object --bucket cli-b --key a/one.txt --query '[ContentType, Metadata.k, ContentLength]' --output text
aws s3api get-object --bucket cli-b --key a/one.txt --if-match "$ETAG" whole --query ETag --output text
aws s3api copy-object --bucket cli-b --key b/two.txt --copy-source cli-b/a/one.txt --query CopyObjectResult.ETag --output text
aws s3api get-object --bucket cli-b --key b/two.txt copied --query ContentType --output text
cmp small copied && echo copied
aws s3api delete-object --bucket cli-b --key b/two.txt
aws s3api head-object --bucket cli-b --key b/two.txt || echo gone`)
    const [etag, range, part, head, matched, copyEtag, copyType, copied, gone] = out
      .trim()
      .split('\n')
    assert.match(etag ?? '', /^"[0-9a-f]{32}"$/)
    assert.equal(range, 'bytes 7-8/15\t2')
    assert.equal(part, 's3')
    assert.equal(head, 'text/plain\tv\t15')
    assert.equal(matched, etag)
    assert.equal(copyEtag, etag)
    assert.equal(copyType, 'text/plain')
    assert.equal(copied, 'copied')
    assert.equal(gone, 'gone')
    assert.match(
      await s.fails(
        `aws s3api get-object --bucket cli-b --key a/one.txt --if-none-match '${etag ?? ''}' x`,
      ),
      /\(304\).*Not Modified/,
    )
    assert.match(
      await s.fails(
        'aws s3api get-object --bucket cli-b --key a/one.txt --if-match \'"00000000000000000000000000000000"\' x',
      ),
      /\(PreconditionFailed\)/,
    )
  })

  await t.test('listings: ListObjectsV2 prefix, delimiter, continuation; ListObjects', async () => {
    const out =
      await s.ok(`aws s3api create-bucket --bucket cli-lst --create-bucket-configuration LocationConstraint=us-west-2 > /dev/null
mkdir -p tree/l/d; for k in l/a l/b l/c l/d/e l/d/f m; do : > tree/$k; done
aws s3 cp tree s3://cli-lst/ --recursive --only-show-errors
aws s3api list-objects-v2 --bucket cli-lst --prefix l/ --delimiter / --query '[Contents[].Key, CommonPrefixes[].Prefix]' --output json
T=$(aws s3api list-objects-v2 --bucket cli-lst --max-keys 2 --no-paginate --query NextContinuationToken --output text)
aws s3api list-objects-v2 --bucket cli-lst --max-keys 2 --no-paginate --query '[Contents[].Key, IsTruncated]' --output json
aws s3api list-objects-v2 --bucket cli-lst --max-keys 2 --no-paginate --continuation-token "$T" --query 'Contents[].Key' --output json
aws s3api list-objects --bucket cli-lst --prefix l/d/ --query 'Contents[].Key' --output json
aws s3api list-objects --bucket cli-lst --max-keys 4 --no-paginate --query '[Contents[].Key, IsTruncated, NextMarker]' --output json`)
    const docs = out
      .trim()
      .split(/\n(?=\[)/)
      .map((d) => json(d))
    assert.deepEqual(docs, [
      [['l/a', 'l/b', 'l/c'], ['l/d/']],
      [['l/a', 'l/b'], true],
      ['l/c', 'l/d/e'],
      ['l/d/e', 'l/d/f'],
      // ListObjects v1 gives NextMarker only with a delimiter.
      [['l/a', 'l/b', 'l/c', 'l/d/e'], true, null],
    ])
  })

  await t.test('DeleteObjects, and DeleteBucket only once empty', async () => {
    assert.match(await s.fails('aws s3api delete-bucket --bucket cli-lst'), /\(BucketNotEmpty\)/)
    const out =
      await s.ok(`aws s3api delete-objects --bucket cli-lst --delete '{"Objects":[{"Key":"l/a"},{"Key":"l/b"},{"Key":"l/c"},{"Key":"l/d/e"},{"Key":"l/d/f"},{"Key":"m"}]}' --query 'length(Deleted)' --output text
aws s3api list-objects-v2 --bucket cli-lst --no-paginate --query KeyCount --output text
aws s3api delete-bucket --bucket cli-lst
aws s3api head-bucket --bucket cli-lst || echo gone`)
    assert.deepEqual(out.trim().split('\n'), ['6', '0', 'gone'])
  })
})
