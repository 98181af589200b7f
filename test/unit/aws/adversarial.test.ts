import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createLogger, manualClock } from '../../../src/core/index.js'
import { createAwsApp, type AwsHttpRequest } from '../../../src/aws/index.js'
import { demoActions, demoCredentials, demoRoutes } from './demo.js'

const app = createAwsApp({
  actions: demoActions().filter((a) => a.action !== 'Boom'),
  routes: demoRoutes(),
  credentials: demoCredentials,
  clock: manualClock(Date.UTC(2026, 2, 1)),
  logger: createLogger({ level: 'silent' }),
})

async function answer(r: AwsHttpRequest): Promise<void> {
  const resp = await app.handle(r)
  assert.ok(resp.status >= 200 && resp.status < 500, `status ${resp.status}: ${resp.body}`)
  assert.match(resp.headers['x-amzn-RequestId'] ?? '', /^[0-9a-f-]{36}$/)
  if (resp.headers['Content-Type'] === 'text/xml') {
    assert.match(
      resp.body,
      /^<(\w+Response|ErrorResponse) xmlns="https:\/\/(sts|iam)\.amazonaws\.com\/doc\/[0-9-]+\/">/,
    )
    const controls = Array.from(resp.body).filter((c) => c < ' ' && c !== '\n' && c !== '\t')
    assert.deepEqual(controls, [], 'no control characters')
  } else JSON.parse(resp.body)
}

const token = fc.constantFrom(
  'Action',
  'Version',
  'RoleArn',
  'RoleSessionName',
  'WebIdentityToken',
  'DurationSeconds',
  'PolicyArns',
  'PolicyArns.member.1.arn',
  'AssumeRoleWithWebIdentity',
  'GetCallerIdentity',
  'ListRoles',
  '2011-06-15',
  '=',
  '&',
  '%',
  '%FF',
  '%2',
  '+',
  '.member.',
  '\u0000',
  '😀',
)
const formish = fc
  .array(fc.oneof(token, fc.string({ maxLength: 8 })), { maxLength: 24 })
  .map((a) => a.join(''))

test('random form bodies never crash the endpoint or produce a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(formish, fc.boolean(), async (body, typed) => {
      await answer({
        method: 'POST',
        url: '/',
        headers: typed ? { 'content-type': ['application/x-www-form-urlencoded'] } : {},
        body: Buffer.from(body, 'utf8'),
      })
    }),
    { numRuns: 400 },
  )
})

test('random bytes, query strings and paths never crash the endpoint', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 256 }),
      formish,
      fc.constantFrom('/', '/clusters', '/clusters/local', '/clusters/%ZZ', '//', '/x/../clusters'),
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD'),
      async (bytes, query, path, method) => {
        await answer({ method, url: `${path}?${query}`, headers: {}, body: bytes })
      },
    ),
    { numRuns: 400 },
  )
})

test('random Authorization headers and X-Amz-Date values are AWS errors, never a crash', async () => {
  const auth = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'AWS4-HMAC-SHA256 ',
          'Credential=',
          'AKIAIRSATESTADMIN001/20260301/us-west-2/sts/aws4_request',
          'SignedHeaders=',
          'host;x-amz-date',
          'Signature=',
          'a'.repeat(64),
          ', ',
          '/',
          '=',
          ';',
        ),
        fc.string({ maxLength: 6 }),
      ),
      { maxLength: 14 },
    )
    .map((a) => a.join(''))
  await fc.assert(
    fc.asyncProperty(auth, fc.string({ maxLength: 20 }), async (authorization, date) => {
      await answer({
        method: 'POST',
        url: '/',
        headers: {
          host: ['127.0.0.1'],
          authorization: [authorization],
          'x-amz-date': [date],
          'content-type': ['application/x-www-form-urlencoded'],
        },
        body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'),
      })
    }),
    { numRuns: 400 },
  )
})
