import { test } from 'node:test'
import assert from 'node:assert/strict'
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { manualClock, silentLogger } from '../../../src/core/index.js'
import {
  AwsError,
  COMMON_ERRORS,
  STS_ERRORS,
  createAwsApp,
  escapeXml,
  iso8601Seconds,
  list,
  map,
  renderErrorJson,
  renderErrorXml,
  renderQueryJson,
  renderQueryXml,
  renderRestJson,
  renderRestJsonError,
  renderXmlElement,
  struct,
  timestamp,
  toJsonValue,
  type CredentialLookup,
} from '../../../src/aws/index.js'
import { ADMIN, demoCredentials } from './demo.js'
import { inProcess } from './signing.js'

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/'
const RID = 'c6104cbe-af31-11e0-8154-cbc7ccf896c7'

test('a Query success body in AWS’s shape (STS GetCallerIdentity)', () => {
  const xml = renderQueryXml({
    action: 'GetCallerIdentity',
    namespace: STS_NS,
    requestId: RID,
    result: struct({
      UserId: 'AROA:s',
      Account: '123456789012',
      Arn: 'arn:aws:sts::123456789012:assumed-role/app/s',
    }),
  })
  assert.equal(
    xml,
    `<GetCallerIdentityResponse xmlns="${STS_NS}">
  <GetCallerIdentityResult>
    <UserId>AROA:s</UserId>
    <Account>123456789012</Account>
    <Arn>arn:aws:sts::123456789012:assumed-role/app/s</Arn>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${RID}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`,
  )
})

test('nested structures, member lists, maps, numbers, booleans, timestamps; absent members left out', () => {
  const xml = renderQueryXml({
    action: 'SimulatePrincipalPolicy',
    namespace: IAM_NS,
    requestId: RID,
    result: struct({
      EvaluationResults: list([
        struct({
          EvalActionName: 's3:GetObject',
          EvalDecision: 'allowed',
          MatchedStatements: list([]),
          EvalDecisionDetails: map({ 'aws:x': 'allowed' }),
          Missing: undefined,
          Nothing: null,
        }),
      ]),
      IsTruncated: false,
      Count: 3,
      When: timestamp(Date.UTC(2014, 9, 24, 23, 0, 23, 456)),
      Empty: struct({ A: undefined }),
    }),
  })
  assert.equal(
    xml,
    `<SimulatePrincipalPolicyResponse xmlns="${IAM_NS}">
  <SimulatePrincipalPolicyResult>
    <EvaluationResults>
      <member>
        <EvalActionName>s3:GetObject</EvalActionName>
        <EvalDecision>allowed</EvalDecision>
        <MatchedStatements/>
        <EvalDecisionDetails>
          <entry>
            <key>aws:x</key>
            <value>allowed</value>
          </entry>
        </EvalDecisionDetails>
      </member>
    </EvaluationResults>
    <IsTruncated>false</IsTruncated>
    <Count>3</Count>
    <When>2014-10-24T23:00:23Z</When>
    <Empty/>
  </SimulatePrincipalPolicyResult>
  <ResponseMetadata>
    <RequestId>${RID}</RequestId>
  </ResponseMetadata>
</SimulatePrincipalPolicyResponse>
`,
  )
})

test('an action without output members has no Result element', () => {
  assert.equal(
    renderQueryXml({ action: 'DeleteRole', namespace: IAM_NS, requestId: RID, result: undefined }),
    `<DeleteRoleResponse xmlns="${IAM_NS}">
  <ResponseMetadata>
    <RequestId>${RID}</RequestId>
  </ResponseMetadata>
</DeleteRoleResponse>
`,
  )
})

test('the error body: ErrorResponse/Error/Type,Code,Message + RequestId, escaped', () => {
  const e = new AwsError(
    STS_ERRORS.InvalidIdentityToken,
    'No OpenIDConnect provider found in your account for https://a/<b>&"c\'',
  )
  assert.equal(
    renderErrorXml({ error: e, namespace: STS_NS, requestId: RID }),
    `<ErrorResponse xmlns="${STS_NS}">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidIdentityToken</Code>
    <Message>No OpenIDConnect provider found in your account for https://a/&lt;b&gt;&amp;&quot;c&apos;</Message>
  </Error>
  <RequestId>${RID}</RequestId>
</ErrorResponse>
`,
  )
  const internal = new AwsError(
    COMMON_ERRORS.InternalFailure,
    COMMON_ERRORS.InternalFailure.message,
  )
  assert.match(
    renderErrorXml({ error: internal, namespace: IAM_NS, requestId: RID }),
    /<Type>Receiver<\/Type>/,
  )
})

test('escapeXml: entities, \\r kept, characters XML cannot carry replaced', () => {
  assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f')
  assert.equal(escapeXml('x\r\ny\tz'), 'x&#13;\ny\tz')
  assert.equal(escapeXml('a\u0000b\u0001c\uFFFEd\uD800e😀'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe😀')
  assert.equal(escapeXml('plain ✓'), 'plain ✓')
})

test('escapeXml agrees with a naive reference on every BMP character (fast path included)', () => {
  const reference = (s: string): string => {
    let out = ''
    for (const ch of s) {
      const c = ch.codePointAt(0) ?? 0
      const named: Record<string, string> = {
        '&': '&amp;',
        '<': '&lt;',
        '>': '&gt;',
        '"': '&quot;',
        "'": '&apos;',
        '\r': '&#13;',
      }
      const legal =
        c === 0x9 ||
        c === 0xa ||
        (c >= 0x20 && c <= 0xd7ff) ||
        (c >= 0xe000 && c <= 0xfffd) ||
        c >= 0x10000
      out += named[ch] ?? (legal ? ch : '\uFFFD')
    }
    return out
  }
  for (let c = 0; c < 0x10000; c++) {
    const s = `ab${String.fromCharCode(c)}cd`
    if (escapeXml(s) !== reference(s))
      assert.equal(escapeXml(s), reference(s), `U+${c.toString(16)}`)
  }
  const token = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=='
  assert.equal(escapeXml(token), token)
})

test('timestamps: ISO 8601 UTC without fractional seconds; JSON epoch seconds', () => {
  assert.equal(iso8601Seconds(Date.UTC(2014, 9, 24, 23, 0, 23, 999)), '2014-10-24T23:00:23Z')
  assert.equal(toJsonValue(timestamp(1514869445999)), 1514869445)
  assert.equal(renderXmlElement('T', timestamp(0)), '<T>1970-01-01T00:00:00Z</T>')
})

test('the legacy JSON rendering: XResponse/XResult/ResponseMetadata, Expiration as a number', () => {
  const result = struct({
    Credentials: struct({
      AccessKeyId: 'ASIA',
      Expiration: timestamp(1514869445000),
    }),
    Audience: 'sts.amazonaws.com',
    Roles: list(['a', 'b']),
    Tags: map([['k', 'v']]),
    Absent: undefined,
    Null: null,
    Flag: true,
  })
  assert.equal(
    renderQueryJson({ action: 'AssumeRoleWithWebIdentity', requestId: RID, result }),
    JSON.stringify({
      AssumeRoleWithWebIdentityResponse: {
        AssumeRoleWithWebIdentityResult: {
          Credentials: { AccessKeyId: 'ASIA', Expiration: 1514869445 },
          Audience: 'sts.amazonaws.com',
          Roles: ['a', 'b'],
          Tags: { k: 'v' },
          Null: null,
          Flag: true,
        },
        ResponseMetadata: { RequestId: RID },
      },
    }),
  )
  assert.equal(
    renderQueryJson({ action: 'DeleteRole', requestId: RID, result: undefined }),
    `{"DeleteRoleResponse":{"ResponseMetadata":{"RequestId":"${RID}"}}}`,
  )
  const e = new AwsError(
    STS_ERRORS.AccessDenied,
    'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  )
  assert.deepEqual(JSON.parse(renderErrorJson({ error: e, requestId: RID })), {
    Error: {
      Type: 'Sender',
      Code: 'AccessDenied',
      Message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    },
    RequestId: RID,
  })
})

test('REST-JSON: body object, error code in x-amzn-ErrorType and {"message"}', () => {
  assert.equal(
    renderRestJson(struct({ clusters: list(['a']), nextToken: undefined })),
    '{"clusters":["a"]}',
  )
  assert.equal(renderRestJson(undefined), '{}')
  const e = new AwsError(COMMON_ERRORS.Throttling, 'Rate exceeded')
  assert.deepEqual(renderRestJsonError(e), {
    headers: { 'x-amzn-ErrorType': 'Throttling' },
    body: '{"message":"Rate exceeded"}',
  })
})

test('non-finite numbers are a bug, not output', () => {
  assert.throws(() => renderXmlElement('N', Number.NaN))
  assert.throws(() => toJsonValue(Number.POSITIVE_INFINITY))
})

test('the SDK reads back escaped and replaced characters exactly (in-process client)', async () => {
  const tricky = `a<b>&"c'd\r\ne\u0001f😀`
  const creds: CredentialLookup<string> = (k) => {
    const r = demoCredentials(k)
    return r instanceof Promise || r.status !== 'found'
      ? { status: 'unknown' }
      : { ...r, principal: tricky }
  }
  const app = createAwsApp<string>({
    actions: [
      {
        service: 'sts',
        action: 'GetCallerIdentity',
        auth: 'sigv4',
        handle: ({ caller }) => struct({ Arn: caller?.principal, UserId: 'u', Account: '1' }),
      },
    ],
    credentials: creds,
    clock: manualClock(Date.now()),
    logger: silentLogger(),
  })
  const client = new STSClient({
    endpoint: 'http://127.0.0.1:4566',
    region: 'us-west-2',
    credentials: ADMIN,
    requestHandler: inProcess(app),
    maxAttempts: 1,
  })
  const out = await client.send(new GetCallerIdentityCommand({}))
  assert.equal(out.Arn, `a<b>&"c'd\r\ne\uFFFDf😀`)
})
