/**
 * Interop: boto3 with its default settings (the endpoint, region and key of `.irsa/env`,
 * botocore's default `when_supported` checksums) against a real `irsa up` process: the
 * common S3 operations, the default CRC32 stored and returned with ChecksumMode=ENABLED,
 * explicit SHA256 and SHA1 uploads, conditional reads (304, 412), multipart, the bucket
 * configurations, ACLs, tags and a presigned URL. Python prints what boto3 parsed; the
 * expected checksums are computed by Python's own zlib and hashlib.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { boto3 } from '../helpers/tools.js'
import { startS3Stack } from '../helpers/s3-stack.js'

const SCRIPT = String.raw`
import base64, hashlib, json, os, urllib.request, zlib
import boto3
from botocore.exceptions import ClientError

s3 = boto3.client("s3")
out = {}
b64 = lambda d: base64.b64encode(d).decode()

def code(fn, **kw):
    try:
        fn(**kw)
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]

out["illegal"] = code(s3.create_bucket, Bucket="py-x", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
s3.create_bucket(Bucket="py-b", CreateBucketConfiguration={"LocationConstraint": os.environ["AWS_REGION"]})
out["head_bucket"] = s3.head_bucket(Bucket="py-b")["BucketRegion"]
out["location"] = s3.get_bucket_location(Bucket="py-b")["LocationConstraint"]
out["buckets"] = [b["Name"] for b in s3.list_buckets()["Buckets"]]

body = b"boto3 body " * 100
put = s3.put_object(Bucket="py-b", Key="dir/obj", Body=body, ContentType="text/plain", Metadata={"m": "1"})
out["put_crc32"] = put.get("ChecksumCRC32")
out["want_crc32"] = b64(zlib.crc32(body).to_bytes(4, "big"))
out["etag_is_md5"] = put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
got = s3.get_object(Bucket="py-b", Key="dir/obj", ChecksumMode="ENABLED")
out["get_same"] = got["Body"].read() == body
out["get_crc32"] = got.get("ChecksumCRC32")
head = s3.head_object(Bucket="py-b", Key="dir/obj", ChecksumMode="ENABLED")
out["head"] = [head["ContentLength"], head["ContentType"], head["Metadata"], head.get("ChecksumCRC32")]
r = s3.get_object(Bucket="py-b", Key="dir/obj", Range="bytes=0-4")
out["range"] = [r["ContentRange"], r["Body"].read().decode(), r["ResponseMetadata"]["HTTPStatusCode"]]
out["if_none_match"] = code(s3.get_object, Bucket="py-b", Key="dir/obj", IfNoneMatch=put["ETag"])
out["if_match"] = code(s3.get_object, Bucket="py-b", Key="dir/obj", IfMatch='"0123"')

for algo, fn in (("SHA256", hashlib.sha256), ("SHA1", hashlib.sha1)):
    p = s3.put_object(Bucket="py-b", Key="sum-" + algo, Body=body, ChecksumAlgorithm=algo)
    h = s3.head_object(Bucket="py-b", Key="sum-" + algo, ChecksumMode="ENABLED")
    out["sum_" + algo] = [p.get("Checksum" + algo), h.get("Checksum" + algo), b64(fn(body).digest())]

for k in ["p/a", "p/b", "p/c/d", "q"]:
    s3.put_object(Bucket="py-b", Key=k, Body=b"")
l = s3.list_objects_v2(Bucket="py-b", Prefix="p/", Delimiter="/")
out["v2"] = [[c["Key"] for c in l.get("Contents", [])], [c["Prefix"] for c in l.get("CommonPrefixes", [])]]
page1 = s3.list_objects_v2(Bucket="py-b", MaxKeys=2)
page2 = s3.list_objects_v2(Bucket="py-b", MaxKeys=2, ContinuationToken=page1["NextContinuationToken"])
out["pages"] = [[c["Key"] for c in page1["Contents"]], page1["IsTruncated"], [c["Key"] for c in page2["Contents"]]]
out["v1"] = [c["Key"] for c in s3.list_objects(Bucket="py-b", Prefix="p/")["Contents"]]

cp = s3.copy_object(Bucket="py-b", Key="copy", CopySource={"Bucket": "py-b", "Key": "dir/obj"})
out["copy_etag"] = cp["CopyObjectResult"]["ETag"] == put["ETag"]
d = s3.delete_objects(Bucket="py-b", Delete={"Objects": [{"Key": k} for k in ["p/a", "p/b", "p/c/d", "q", "copy"]]})
out["deleted"] = sorted(x["Key"] for x in d["Deleted"])
s3.delete_object(Bucket="py-b", Key="sum-SHA1")
out["deleted_one"] = code(s3.head_object, Bucket="py-b", Key="sum-SHA1")

part1 = os.urandom(5 * 1024 * 1024)
u = s3.create_multipart_upload(Bucket="py-b", Key="mp", ChecksumAlgorithm="CRC32")["UploadId"]
e1 = s3.upload_part(Bucket="py-b", Key="mp", UploadId=u, PartNumber=1, Body=part1, ChecksumAlgorithm="CRC32")
e2 = s3.upload_part(Bucket="py-b", Key="mp", UploadId=u, PartNumber=2, Body=b"end", ChecksumAlgorithm="CRC32")
out["parts"] = [[p["PartNumber"], p["Size"]] for p in s3.list_parts(Bucket="py-b", Key="mp", UploadId=u)["Parts"]]
done = s3.complete_multipart_upload(Bucket="py-b", Key="mp", UploadId=u, MultipartUpload={"Parts": [
    {"PartNumber": 1, "ETag": e1["ETag"], "ChecksumCRC32": e1["ChecksumCRC32"]},
    {"PartNumber": 2, "ETag": e2["ETag"], "ChecksumCRC32": e2["ChecksumCRC32"]}]})
out["mp_etag"] = [done["ETag"], '"%s-2"' % hashlib.md5(b"".join(bytes.fromhex(e["ETag"][1:-1]) for e in (e1, e2))).hexdigest()]
out["mp_same"] = s3.get_object(Bucket="py-b", Key="mp")["Body"].read() == part1 + b"end"
composite = b64(zlib.crc32(base64.b64decode(e1["ChecksumCRC32"]) + base64.b64decode(e2["ChecksumCRC32"])).to_bytes(4, "big")) + "-2"
out["mp_crc32"] = [done.get("ChecksumCRC32"), composite]
a = s3.create_multipart_upload(Bucket="py-b", Key="ab")["UploadId"]
s3.abort_multipart_upload(Bucket="py-b", Key="ab", UploadId=a)
out["aborted"] = code(s3.list_parts, Bucket="py-b", Key="ab", UploadId=a)

policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::py-b/keep/*"}]})
s3.put_bucket_policy(Bucket="py-b", Policy=policy)
out["policy_same"] = json.loads(s3.get_bucket_policy(Bucket="py-b")["Policy"]) == json.loads(policy)
s3.delete_bucket_policy(Bucket="py-b")
out["policy_gone"] = code(s3.get_bucket_policy, Bucket="py-b")
out["pab"] = s3.get_public_access_block(Bucket="py-b")["PublicAccessBlockConfiguration"]
out["acl_enforced"] = code(s3.put_object_acl, Bucket="py-b", Key="dir/obj", ACL="public-read")
s3.put_bucket_ownership_controls(Bucket="py-b", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
out["ownership"] = s3.get_bucket_ownership_controls(Bucket="py-b")["OwnershipControls"]["Rules"]
s3.put_public_access_block(Bucket="py-b", PublicAccessBlockConfiguration={"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_object_acl(Bucket="py-b", Key="dir/obj", ACL="authenticated-read")
out["acl"] = sorted([g["Grantee"].get("URI", g["Grantee"]["Type"]), g["Permission"]] for g in s3.get_object_acl(Bucket="py-b", Key="dir/obj")["Grants"])
s3.delete_public_access_block(Bucket="py-b")
out["pab_gone"] = code(s3.get_public_access_block, Bucket="py-b")
s3.delete_bucket_ownership_controls(Bucket="py-b")
out["ownership_gone"] = code(s3.get_bucket_ownership_controls, Bucket="py-b")

s3.put_object_tagging(Bucket="py-b", Key="dir/obj", Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
out["tags"] = s3.get_object_tagging(Bucket="py-b", Key="dir/obj")["TagSet"]
s3.delete_object_tagging(Bucket="py-b", Key="dir/obj")
out["tags_gone"] = s3.get_object_tagging(Bucket="py-b", Key="dir/obj")["TagSet"]

url = s3.generate_presigned_url("get_object", Params={"Bucket": "py-b", "Key": "dir/obj"}, ExpiresIn=60)
out["presigned"] = urllib.request.urlopen(url).read() == body

out["not_empty"] = code(s3.delete_bucket, Bucket="py-b")
for k in ["dir/obj", "sum-SHA256", "mp"]:
    s3.delete_object(Bucket="py-b", Key=k)
s3.delete_bucket(Bucket="py-b")
out["bucket_gone"] = code(s3.head_bucket, Bucket="py-b")
print(json.dumps(out))
`

test(
  'boto3 against irsa up: the common S3 operations and checksums',
  { timeout: 120_000 },
  async (t) => {
    const o = boto3()
    if (o.skip !== false) {
      t.skip(o.skip)
      return
    }
    const s = await startS3Stack(t)
    const out = JSON.parse(await s.ok(`python3 - <<'PY'\n${SCRIPT}\nPY`)) as Record<string, unknown>
    const want = out['want_crc32']
    assert.match(String(want), /^[A-Za-z0-9+/]{6}==$/)
    assert.deepEqual(out, {
      illegal: 'IllegalLocationConstraintException',
      head_bucket: 'us-west-2',
      location: 'us-west-2',
      buckets: ['py-b'],
      put_crc32: want,
      want_crc32: want,
      etag_is_md5: true,
      get_same: true,
      get_crc32: want,
      head: [1100, 'text/plain', { m: '1' }, want],
      range: ['bytes 0-4/1100', 'boto3', 206],
      if_none_match: '304',
      if_match: 'PreconditionFailed',
      sum_SHA256: [
        (out['sum_SHA256'] as string[])[2],
        (out['sum_SHA256'] as string[])[2],
        (out['sum_SHA256'] as string[])[2],
      ],
      sum_SHA1: [
        (out['sum_SHA1'] as string[])[2],
        (out['sum_SHA1'] as string[])[2],
        (out['sum_SHA1'] as string[])[2],
      ],
      v2: [['p/a', 'p/b'], ['p/c/']],
      pages: [['dir/obj', 'p/a'], true, ['p/b', 'p/c/d']],
      v1: ['p/a', 'p/b', 'p/c/d'],
      copy_etag: true,
      deleted: ['copy', 'p/a', 'p/b', 'p/c/d', 'q'],
      deleted_one: '404',
      parts: [
        [1, 5242880],
        [2, 3],
      ],
      mp_etag: [(out['mp_etag'] as string[])[1], (out['mp_etag'] as string[])[1]],
      mp_same: true,
      mp_crc32: [(out['mp_crc32'] as string[])[1], (out['mp_crc32'] as string[])[1]],
      aborted: 'NoSuchUpload',
      policy_same: true,
      policy_gone: 'NoSuchBucketPolicy',
      pab: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      acl_enforced: 'AccessControlListNotSupported',
      ownership: [{ ObjectOwnership: 'BucketOwnerPreferred' }],
      acl: [
        ['CanonicalUser', 'FULL_CONTROL'],
        ['http://acs.amazonaws.com/groups/global/AuthenticatedUsers', 'READ'],
      ],
      pab_gone: 'NoSuchPublicAccessBlockConfiguration',
      ownership_gone: 'OwnershipControlsNotFoundError',
      tags: [{ Key: 'a', Value: '1' }],
      tags_gone: [],
      presigned: true,
      not_empty: 'BucketNotEmpty',
      bucket_gone: '404',
    })
    assert.match((out['mp_etag'] as string[])[1] ?? '', /^"[0-9a-f]{32}-2"$/)
    assert.match((out['sum_SHA256'] as string[])[2] ?? '', /^[A-Za-z0-9+/]{43}=$/)
    assert.match((out['sum_SHA1'] as string[])[2] ?? '', /^[A-Za-z0-9+/]{27}=$/)
  },
)
