import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { IrsaError } from '../../../src/core/index.js'
import {
  AWS_ERROR_REGISTRIES,
  AwsError,
  COMMON_ERRORS,
  EKS_ERRORS,
  IAM_ERRORS,
  STS_ERRORS,
  awsError,
  errorResponse,
  formatMessage,
  isAwsError,
  placeholdersOf,
  toAwsError,
  toEksError,
  type AwsErrorEntry,
} from '../../../src/aws/index.js'
import { boto3 } from '../../helpers/tools.js'

const RID = '11111111-2222-3333-4444-555555555555'

/** Sample values for every placeholder of a template. */
function sampleParams(template: string): Record<string, string> {
  return Object.fromEntries(placeholdersOf(template).map((p) => [p, `<${p}>`]))
}

const entries = Object.entries(AWS_ERROR_REGISTRIES).flatMap(([surface, reg]) =>
  Object.entries(reg).map(([key, entry]) => ({ surface, key, entry })),
)

test('registries: keyed by wire code, sane statuses, Receiver only for 5xx, a when for docs', () => {
  assert.ok(entries.length >= 45)
  for (const { surface, key, entry } of entries) {
    const id = `${surface}.${key}`
    assert.equal(entry.code, key, id)
    assert.ok(entry.status >= 400 && entry.status <= 599, id)
    assert.equal(entry.type === 'Receiver', entry.status >= 500, id)
    assert.ok(entry.when.length > 10, id)
    assert.ok(!/[\r\n]/.test(entry.message), id)
  }
})

test('every entry and every variant renders as an AWS error, in XML, JSON and REST-JSON', () => {
  for (const { surface, entry } of entries) {
    const templates = [
      [undefined, entry.message] as const,
      ...Object.entries(entry.variants ?? {}).map(([k, v]) => [k, v] as const),
    ]
    for (const [variant, template] of templates) {
      const params = sampleParams(template)
      const err = awsError(entry, { variant, params } as never)
      const id = `${surface}.${entry.code}${variant === undefined ? '' : `.${variant}`}`
      assert.ok(err instanceof AwsError && err instanceof IrsaError, id)
      assert.equal(err.message, formatMessage(template, params), id)
      assert.ok(!err.message.includes('{'), id)
      for (const v of Object.values(params)) assert.ok(err.message.includes(v), `${id} ${v}`)

      const service = surface === 'eks' ? 'eks' : surface === 'iam' ? 'iam' : 'sts'
      const xml = errorResponse({ error: err, service, requestId: RID, json: false })
      if (service === 'eks') {
        const mapped = toEksError(err)
        assert.equal(xml.status, mapped.status, id)
        assert.equal(xml.headers['x-amzn-ErrorType'], mapped.code, id)
        assert.equal(xml.headers['Content-Type'], 'application/json', id)
        assert.deepEqual(JSON.parse(xml.body), { message: mapped.message }, id)
      } else {
        assert.equal(xml.status, entry.status, id)
        assert.equal(xml.headers['Content-Type'], 'text/xml', id)
        assert.equal(xml.headers['x-amzn-RequestId'], RID, id)
        assert.ok(xml.body.includes(`<Code>${entry.code}</Code>`), id)
        assert.ok(xml.body.includes(`<Type>${entry.type}</Type>`), id)
        assert.ok(xml.body.includes(`<RequestId>${RID}</RequestId>`), id)
        const json = errorResponse({ error: err, service, requestId: RID, json: true })
        assert.equal(json.status, entry.status, id)
        const parsed = JSON.parse(json.body) as { Error: { Code: string; Type: string } }
        assert.equal(parsed.Error.Code, entry.code, id)
        assert.equal(parsed.Error.Type, entry.type, id)
      }
    }
  }
})

test('templates are type-checked and filled; a missing value is a bug, not a blank', () => {
  const e = awsError(STS_ERRORS.InvalidIdentityToken, {
    variant: 'noProvider',
    params: { issuer: 'https://oidc.example/id/X' },
    reason: 'no provider in account 111122223333',
  })
  assert.equal(
    e.message,
    'No OpenIDConnect provider found in your account for https://oidc.example/id/X',
  )
  assert.equal(e.reason, 'no provider in account 111122223333')
  assert.equal(
    awsError(STS_ERRORS.AccessDenied, { params: { action: 'sts:AssumeRoleWithWebIdentity' } })
      .message,
    'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  )
  assert.equal(
    awsError(IAM_ERRORS.NoSuchEntity, { variant: 'role', params: { roleName: 'app' } }).message,
    'The role with name app cannot be found.',
  )
  assert.equal(
    awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'audience' }).message,
    'Incorrect token audience',
  )
  assert.equal(awsError(IAM_ERRORS.MalformedPolicyDocument).message, 'Syntax errors in policy.')
  assert.equal(
    awsError(IAM_ERRORS.MalformedPolicyDocument, { message: 'Has prohibited field Resource' })
      .message,
    'Has prohibited field Resource',
  )
  assert.throws(() => formatMessage('a {b} c', {}), /placeholder \{b\}/)
  assert.ok(isAwsError(e, 'InvalidIdentityToken'))
  assert.ok(!isAwsError(e, 'AccessDenied'))
  assert.ok(!isAwsError(new Error('x')))
})

test('the operator-only reason never reaches the client', () => {
  const e = awsError(STS_ERRORS.AccessDenied, {
    params: { action: 'sts:AssumeRoleWithWebIdentity' },
    reason: 'condition oidc:sub StringEquals system:serviceaccount:a:b did not match',
  })
  for (const json of [false, true]) {
    const r = errorResponse({ error: e, service: 'sts', requestId: RID, json })
    assert.ok(!r.body.includes('condition'), r.body)
  }
})

test('anything that is not an AwsError becomes InternalFailure without details', () => {
  const cause = new Error('database is locked at /secret/path token=abc')
  const e = toAwsError(cause)
  assert.equal(e.code, 'InternalFailure')
  assert.equal(e.status, 500)
  assert.equal(e.type, 'Receiver')
  assert.equal(e.message, COMMON_ERRORS.InternalFailure.message)
  assert.equal(e.cause, cause)
  const r = errorResponse({ error: e, service: 'iam', requestId: RID, json: false })
  assert.ok(!r.body.includes('database') && !r.body.includes('token'))
  const passthrough = awsError(COMMON_ERRORS.Throttling)
  assert.equal(toAwsError(passthrough), passthrough)
  assert.equal(toAwsError('a string').code, 'InternalFailure')
})

test('EKS names the Query common errors its own way', () => {
  const cases: [AwsErrorEntry, string, number][] = [
    [COMMON_ERRORS.InvalidClientTokenId, 'UnrecognizedClientException', 403],
    [COMMON_ERRORS.SignatureDoesNotMatch, 'InvalidSignatureException', 403],
    [COMMON_ERRORS.IncompleteSignature, 'IncompleteSignatureException', 403],
    [COMMON_ERRORS.MissingAuthenticationToken, 'MissingAuthenticationTokenException', 403],
    [COMMON_ERRORS.ExpiredToken, 'ExpiredTokenException', 403],
    [COMMON_ERRORS.RequestExpired, 'InvalidSignatureException', 403],
    [COMMON_ERRORS.InternalFailure, 'ServerException', 500],
    [COMMON_ERRORS.AccessDenied, 'AccessDeniedException', 403],
    [COMMON_ERRORS.RequestEntityTooLarge, 'RequestEntityTooLargeException', 413],
    [COMMON_ERRORS.MalformedQueryString, 'BadRequestException', 400],
    [COMMON_ERRORS.Throttling, 'ThrottlingException', 429],
  ]
  for (const [entry, code, status] of cases) {
    const e = toEksError(new AwsError(entry, 'm', { reason: 'r' }))
    assert.equal(e.code, code)
    assert.equal(e.status, status)
    assert.equal(e.reason, 'r')
  }
  const skew = toEksError(
    awsError(COMMON_ERRORS.SignatureDoesNotMatch, {
      variant: 'expired',
      params: { signed: 'a', earliest: 'b', now: 'c' },
    }),
  )
  assert.equal(skew.message, 'Signature expired: a is now earlier than b (c - 15 min.)')
  assert.equal(
    toEksError(awsError(COMMON_ERRORS.MissingAuthenticationToken)).message,
    'Missing Authentication Token',
  )
  const own = awsError(EKS_ERRORS.ResourceNotFoundException, { params: { name: 'x' } })
  assert.equal(toEksError(own), own)
  // Every common error has an EKS rendering with an EKS code or stays as is.
  for (const entry of Object.values(COMMON_ERRORS) as AwsErrorEntry[]) {
    const mapped = toEksError(new AwsError(entry, entry.message))
    assert.ok(mapped.status >= 400)
  }
})

test(
  'statuses and codes agree with AWS’s models (botocore’s service-2.json)',
  { skip: boto3().skip },
  () => {
    const script = `
import botocore, os, gzip, json
d = os.path.join(os.path.dirname(botocore.__file__), 'data')
out = {}
for svc, ver in [('sts','2011-06-15'), ('iam','2010-05-08'), ('eks','2017-11-01')]:
    p = os.path.join(d, svc, ver, 'service-2.json')
    m = json.load(gzip.open(p + '.gz') if os.path.exists(p + '.gz') else open(p))
    out[svc] = {}
    for name, s in m['shapes'].items():
        if s.get('exception'):
            e = s.get('error', {})
            out[svc][e.get('code') or name] = e.get('httpStatusCode')
print(json.dumps(out))
`
    const models = JSON.parse(
      execFileSync('python3', ['-c', script], { encoding: 'utf8' }),
    ) as Record<string, Record<string, number | null>>
    const checked: string[] = []
    for (const [surface, reg] of [
      ['sts', STS_ERRORS],
      ['iam', IAM_ERRORS],
      ['eks', EKS_ERRORS],
    ] as const) {
      for (const entry of Object.values(reg) as AwsErrorEntry[]) {
        const modelled = models[surface]?.[entry.code]
        if (modelled === undefined || modelled === null) continue
        assert.equal(entry.status, modelled, `${surface} ${entry.code}`)
        checked.push(`${surface}:${entry.code}`)
      }
    }
    // The errors the brief names are all modelled and were all checked.
    for (const must of [
      'sts:InvalidIdentityToken',
      'sts:IDPRejectedClaim',
      'sts:ExpiredTokenException',
      'sts:MalformedPolicyDocument',
      'sts:PackedPolicyTooLarge',
      'sts:IDPCommunicationError',
      'sts:RegionDisabledException',
      'iam:NoSuchEntity',
      'iam:EntityAlreadyExists',
      'iam:MalformedPolicyDocument',
      'iam:LimitExceeded',
      'iam:DeleteConflict',
      'iam:InvalidInput',
      'iam:ServiceFailure',
      'iam:ConcurrentModification',
      'eks:ResourceNotFoundException',
      'eks:InvalidParameterException',
      'eks:InvalidRequestException',
      'eks:ServerException',
      'eks:AccessDeniedException',
      'eks:NotFoundException',
      'eks:BadRequestException',
      'eks:ThrottlingException',
      'eks:ServiceUnavailableException',
    ])
      assert.ok(checked.includes(must), must)
  },
)
