/**
 * Interop: the real AWS CLI (`aws s3api`, `aws s3 presign`) against a real `irsa up`
 * process, after `source .irsa/env`: multipart uploads, the bucket configurations
 * (policy, public access block, ownership controls), object ACLs and tags, explicit
 * checksums, and presigned URLs (the admin key through the `irsa` profile, and a role
 * session's) that work until they expire. The first half is s3-stack-cli.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { awsCli } from '../helpers/tools.js'
import { startS3Stack, type S3Stack } from '../helpers/s3-stack.js'

test(
  'the AWS CLI against irsa up: multipart, configuration, ACLs, tags, presign',
  { timeout: 240_000 },
  async (t) => {
    const o = awsCli()
    if (o.skip !== false) {
      t.skip(o.skip)
      return
    }
    const s: S3Stack = await startS3Stack(t)

    await s.ok(`aws s3api create-bucket --bucket cli-b --create-bucket-configuration LocationConstraint=us-west-2 > /dev/null
printf 'hello, s3 world' > small
aws s3api put-object --bucket cli-b --key a/one.txt --body small > /dev/null`)

    await t.test('multipart: create, upload part, list parts, complete; abort', async () => {
      const out =
        await s.ok(`head -c 5242880 /dev/urandom > p1; printf 'tail' > p2; cat p1 p2 > whole
U=$(aws s3api create-multipart-upload --bucket cli-b --key mp --query UploadId --output text)
E1=$(aws s3api upload-part --bucket cli-b --key mp --upload-id "$U" --part-number 1 --body p1 --query ETag --output text)
E2=$(aws s3api upload-part --bucket cli-b --key mp --upload-id "$U" --part-number 2 --body p2 --query ETag --output text)
aws s3api list-parts --bucket cli-b --key mp --upload-id "$U" --query 'Parts[].[PartNumber, Size]' --output text
aws s3api list-multipart-uploads --bucket cli-b --query 'Uploads[].Key' --output text
aws s3api complete-multipart-upload --bucket cli-b --key mp --upload-id "$U" \\
  --multipart-upload "{\\"Parts\\":[{\\"PartNumber\\":1,\\"ETag\\":$E1},{\\"PartNumber\\":2,\\"ETag\\":$E2}]}" --query ETag --output text
aws s3api get-object --bucket cli-b --key mp got > /dev/null
cmp whole got && echo same
A=$(aws s3api create-multipart-upload --bucket cli-b --key ab --query UploadId --output text)
aws s3api abort-multipart-upload --bucket cli-b --key ab --upload-id "$A"
aws s3api list-parts --bucket cli-b --key ab --upload-id "$A" 2>&1 | grep -o NoSuchUpload`)
      const lines = out.trim().split('\n')
      assert.deepEqual(lines.slice(0, 3), ['1\t5242880', '2\t4', 'mp'])
      assert.match(lines[3] ?? '', /^"[0-9a-f]{32}-2"$/)
      assert.deepEqual(lines.slice(4), ['same', 'NoSuchUpload'])
    })

    await t.test('bucket policy, public access block, ownership controls, ACLs', async () => {
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:DeleteObject',
            Resource: 'arn:aws:s3:::cli-b/locked/*',
          },
        ],
      })
      const out = await s.ok(`aws s3api put-bucket-policy --bucket cli-b --policy '${policy}'
aws s3api get-bucket-policy --bucket cli-b --query Policy --output text
aws s3api put-object-acl --bucket cli-b --key a/one.txt --acl public-read 2>&1 | grep -o AccessControlListNotSupported
aws s3api put-bucket-ownership-controls --bucket cli-b --ownership-controls 'Rules=[{ObjectOwnership=ObjectWriter}]'
aws s3api put-public-access-block --bucket cli-b --public-access-block-configuration BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=true
aws s3api put-object-acl --bucket cli-b --key a/one.txt --acl public-read
aws s3api get-object-acl --bucket cli-b --key a/one.txt --query 'Grants[].[Grantee.URI || Grantee.Type, Permission]' --output text
aws s3api delete-bucket-policy --bucket cli-b
aws s3api get-bucket-policy --bucket cli-b 2>&1 | grep -o NoSuchBucketPolicy`)
      // The Get/Delete of the public access block and ownership controls are boto3's and
      // the SDK's (s3-stack-boto3, s3-stack-sdk): each AWS CLI run costs a second or more.
      assert.deepEqual(out.trim().split('\n'), [
        policy,
        'AccessControlListNotSupported',
        'CanonicalUser\tFULL_CONTROL',
        'http://acs.amazonaws.com/groups/global/AllUsers\tREAD',
        'NoSuchBucketPolicy',
      ])
    })

    await t.test('object tagging: x-amz-tagging on PutObject, get, delete', async () => {
      const out =
        await s.ok(`aws s3api put-object --bucket cli-b --key tagged --body small --tagging 'team=a&tier=1' > /dev/null
aws s3api get-object-tagging --bucket cli-b --key tagged --query 'TagSet[].[Key, Value]' --output text
aws s3api delete-object-tagging --bucket cli-b --key tagged
aws s3api get-object-tagging --bucket cli-b --key tagged --query 'length(TagSet)' --output text`)
      assert.deepEqual(out.trim().split('\n'), ['team\ta', 'tier\t1', '0'])
    })

    await t.test(
      'explicit checksums: SHA256 and SHA1 stored and returned (CRC32C needs botocore[crt])',
      async () => {
        const out = await s.ok(`for a in SHA256 SHA1; do
  aws s3api put-object --bucket cli-b --key sum-$a --body small --checksum-algorithm $a --query Checksum$a --output text
  aws s3api head-object --bucket cli-b --key sum-$a --checksum-mode ENABLED --query Checksum$a --output text
done
python3 -c "import hashlib,base64;d=open('small','rb').read();print(base64.b64encode(hashlib.sha256(d).digest()).decode());print(base64.b64encode(hashlib.sha1(d).digest()).decode())"`)
        const [sha256, sha256Back, sha1, sha1Back, wantSha256, wantSha1] = out.trim().split('\n')
        assert.equal(sha256, wantSha256)
        assert.equal(sha256Back, wantSha256)
        assert.equal(sha1, wantSha1)
        assert.equal(sha1Back, wantSha1)
      },
    )

    await t.test('aws s3 presign (irsa profile): works, then expires', async () => {
      const out = await s.ok(`U=$(aws s3 presign s3://cli-b/a/one.txt --expires-in 300)
case "$U" in *X-Amz-Algorithm=AWS4-HMAC-SHA256*) echo v4;; esac
curl -s "$U"; echo
S=$(aws s3 presign s3://cli-b/a/one.txt --expires-in 2)
curl -s -o /dev/null -w '%{http_code}\\n' "$S"
sleep 3
curl -s -w '\\n%{http_code}\\n' "$S" | tr -d '\\n'; echo`)
      const lines = out.trim().split('\n')
      assert.equal(lines[0], 'v4')
      assert.equal(lines[1], 'hello, s3 world')
      assert.equal(lines[2], '200')
      assert.match(
        lines[3] ?? '',
        /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>.*<\/Error>403$/,
      )
    })

    await t.test('a role session presigns with its session token', async () => {
      const creds = await s.session('cli-pod')
      await s.ok(
        `aws iam put-role-policy --role-name cli-pod --policy-name read --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::cli-b/a/*"}]}'`,
      )
      const out = await s.ok(
        `U=$(aws s3 presign s3://cli-b/a/one.txt --expires-in 60)
case "$U" in *X-Amz-Security-Token=*) echo token;; esac
curl -s "$U"; echo
curl -s "$(aws s3 presign s3://cli-b/tagged --expires-in 60)" -w '%{http_code}\\n' -o /dev/null
curl -s "$(aws s3 presign s3://cli-b/a/one.txt --expires-in 60 | sed 's/X-Amz-Signature=[0-9a-f]*/X-Amz-Signature=00/')" | grep -o SignatureDoesNotMatch`,
        creds,
      )
      assert.deepEqual(out.trim().split('\n'), [
        'token',
        'hello, s3 world',
        '403',
        'SignatureDoesNotMatch',
      ])
    })
  },
)
