/**
 * Presigned URLs and session credentials through S3's SigV4, signed by the SDK's own
 * signer (@smithy/signature-v4 with S3's settings: the path as sent, UNSIGNED-PAYLOAD).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest as SmithyRequest } from '@smithy/types'
import { isAwsError, SigningKeyCache } from '../../../src/aws/index.js'
import { manualClock } from '../../../src/core/index.js'
import { authenticateS3, type S3SignedHead } from '../../../src/s3/index.js'
import { Sha256, wireQuery } from '../aws/signing.js'

const KEY = 'AKIAIOSFODNN7EXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5)

type Lookup = 'found' | 'unknown' | 'expired'

function deps(nowMs: number, lookup: Lookup = 'found') {
  return {
    credentials: () =>
      lookup === 'found'
        ? { status: 'found' as const, secretAccessKey: SECRET, principal: 'p' }
        : { status: lookup },
    clock: manualClock(nowMs),
    keyCache: new SigningKeyCache(),
  }
}

async function presign(expiresIn: number, sessionToken?: string): Promise<S3SignedHead> {
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: KEY,
      secretAccessKey: SECRET,
      ...(sessionToken !== undefined ? { sessionToken } : {}),
    },
    region: 'us-east-1',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  })
  const request = {
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: '/bkt/dir/a%20b.txt',
    query: {},
    // As @aws-sdk/s3-request-presigner does: sign UNSIGNED-PAYLOAD, send no such header.
    headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  } as unknown as SmithyRequest
  const signed = await signer.presign(request, {
    signingDate: new Date(T0),
    expiresIn,
    unsignableHeaders: new Set(['x-amz-content-sha256']),
  })
  assert.match(wireQuery(signed.query), /X-Amz-SignedHeaders=host(&|$)/)
  return {
    method: 'GET',
    path: signed.path,
    query: wireQuery(signed.query),
    headers: { host: ['127.0.0.1:4566'] },
  }
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    assert.ok(isAwsError(e), String(e))
    return `${e.code}: ${e.message}`
  }
}

test('a presigned URL is good until X-Amz-Date + X-Amz-Expires, then "Request has expired"', async () => {
  const url = await presign(600)
  assert.match(url.query, /X-Amz-Expires=600/)
  const a = await authenticateS3(url, deps(T0 + 599_000))
  assert.equal(a.kind, 'presigned')
  assert.equal(a.payloadHash, 'UNSIGNED-PAYLOAD')
  assert.equal(
    await outcome(authenticateS3(url, deps(T0 + 601_000))),
    'AccessDenied: Request has expired',
  )
  const other = { ...url, path: '/bkt/dir/other.txt' }
  assert.match(await outcome(authenticateS3(other, deps(T0))), /^SignatureDoesNotMatch/)
})

test('presigned query errors are AuthorizationQueryParametersError', async () => {
  const url = await presign(600)
  const tooLong = { ...url, query: url.query.replace('X-Amz-Expires=600', 'X-Amz-Expires=604801') }
  assert.match(
    await outcome(authenticateS3(tooLong, deps(T0))),
    /^AuthorizationQueryParametersError: X-Amz-Expires/,
  )
  const noDate = { ...url, query: url.query.replace(/X-Amz-Date=[^&]*&?/, '') }
  assert.match(
    await outcome(authenticateS3(noDate, deps(T0))),
    /^AuthorizationQueryParametersError/,
  )
})

test('session credentials: an unknown token is InvalidToken, an ended session ExpiredToken, an unknown key InvalidAccessKeyId', async () => {
  const url = await presign(600, 'session-token-value')
  assert.equal(
    await outcome(authenticateS3(url, deps(T0, 'unknown'))),
    'InvalidToken: The provided token is malformed or otherwise invalid.',
  )
  assert.equal(
    await outcome(authenticateS3(url, deps(T0, 'expired'))),
    'ExpiredToken: The provided token has expired.',
  )
  const plain = await presign(600)
  assert.match(await outcome(authenticateS3(plain, deps(T0, 'unknown'))), /^InvalidAccessKeyId/)
  const ok = await authenticateS3(url, deps(T0))
  assert.equal(ok.kind === 'anonymous' ? undefined : ok.caller.withSessionToken, true)
})
