import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { createLogger, manualClock } from '../../../src/core/index.js'
import {
  createAwsApp,
  routeService,
  type AwsApp,
  type AwsHttpRequest,
  type QueryAction,
  type RestRoute,
} from '../../../src/aws/index.js'
import {
  ADMIN,
  EXPIRED_SESSION,
  SENTINEL_TOKEN,
  SESSION,
  demoActions,
  demoCredentials,
  demoRoutes,
  type DemoPrincipal,
} from './demo.js'
import { distinct, sign } from './signing.js'

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0)
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/'

interface Harness {
  app: AwsApp
  /** The log lines so far, parsed. */
  lines: () => Record<string, unknown>[]
  raw: string[]
}

function harness(
  extra: { actions?: QueryAction<DemoPrincipal>[]; routes?: RestRoute<DemoPrincipal>[] } = {},
): Harness {
  const raw: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      cb()
    },
  })
  let n = 0
  const app = createAwsApp({
    actions: [...demoActions(), ...(extra.actions ?? [])],
    routes: [...demoRoutes(), ...(extra.routes ?? [])],
    credentials: demoCredentials,
    clock: manualClock(T0),
    logger: createLogger({ level: 'debug', destination: sink }),
    newRequestId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  })
  return {
    app,
    raw,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

function req(
  method: string,
  url: string,
  headers: Record<string, string | string[]> = {},
  body = '',
): AwsHttpRequest {
  return {
    method,
    url,
    headers: distinct({ host: '127.0.0.1:4566', ...headers }),
    body: Buffer.from(body, 'utf8'),
    remoteAddress: '127.0.0.1',
  }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }
const ARWWI =
  'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s1&WebIdentityToken=eyJ.a.b'

function code(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1]
}

test('routing: scope, then Action, then EKS path, then Host, then Version', () => {
  const h = (o: Record<string, string>) => distinct(o)
  const scoped = h({
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIA/20260301/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x',
    host: 'sts.amazonaws.com',
  })
  const servicesFor = (a: string) => (a === 'ListRoles' ? (['iam'] as const) : [])
  assert.deepEqual(
    routeService({ path: '/', rawQuery: '', headers: scoped, action: 'GetCallerIdentity' }),
    {
      service: 'iam',
      by: 'scope',
    },
  )
  assert.deepEqual(
    routeService({
      path: '/',
      rawQuery: 'X-Amz-Credential=AKIA%2F20260301%2Fus-west-2%2Fsts%2Faws4_request',
      headers: h({}),
    }),
    { service: 'sts', by: 'scope' },
  )
  assert.deepEqual(
    routeService({
      path: '/',
      rawQuery: '',
      headers: h({ host: 'iam.amazonaws.com' }),
      action: 'AssumeRoleWithWebIdentity',
    }),
    { service: 'sts', by: 'action' },
  )
  assert.deepEqual(
    routeService({ path: '/', rawQuery: '', headers: h({}), action: 'ListRoles', servicesFor }),
    {
      service: 'iam',
      by: 'action',
    },
  )
  assert.deepEqual(routeService({ path: '/clusters/x', rawQuery: '', headers: h({}) }), {
    service: 'eks',
    by: 'path',
  })
  for (const [host, service] of [
    ['iam.amazonaws.com', 'iam'],
    ['sts.us-west-2.amazonaws.com:443', 'sts'],
    ['STS.amazonaws.com', 'sts'],
    ['eks.eu-west-1.amazonaws.com', 'eks'],
  ] as const)
    assert.deepEqual(routeService({ path: '/', rawQuery: '', headers: h({ host }) }), {
      service,
      by: 'host',
    })
  assert.deepEqual(
    routeService({
      path: '/',
      rawQuery: '',
      headers: h({ host: '127.0.0.1:1' }),
      version: '2010-05-08',
    }),
    {
      service: 'iam',
      by: 'version',
    },
  )
  assert.equal(
    routeService({ path: '/', rawQuery: '', headers: h({ host: 'localhost' }) }),
    undefined,
  )
  // A scope for a service irsa does not serve falls through to the other rules.
  const s3 = h({
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIA/20260301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x',
  })
  assert.deepEqual(
    routeService({ path: '/', rawQuery: '', headers: s3, action: 'AssumeRoleWithWebIdentity' }),
    {
      service: 'sts',
      by: 'action',
    },
  )
})

test('POST form with and without charset, and GET query strings, reach the same action', async () => {
  const { app } = harness()
  for (const r of [
    req('POST', '/', FORM, ARWWI),
    req('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, ARWWI),
    req('POST', '/', { 'Content-Type': 'Application/X-WWW-Form-Urlencoded;charset=UTF-8' }, ARWWI),
    req('POST', '/', {}, ARWWI),
    req('GET', `/?${ARWWI}`),
    req('POST', `/?${ARWWI}`, FORM, ''),
    req('POST', '/', FORM, `${ARWWI}&PolicyArns=`),
  ]) {
    const resp = await app.handle(r)
    assert.equal(resp.status, 200, resp.body)
    assert.match(resp.body, /<AssumeRoleWithWebIdentityResult>/)
    assert.match(resp.body, /<Arn>arn:aws:sts::111122223333:assumed-role\/app\/s1<\/Arn>/)
  }
})

test('repeated and extra headers are tolerated', async () => {
  const { app } = harness()
  const resp = await app.handle(
    req(
      'POST',
      '/',
      {
        ...FORM,
        accept: ['text/xml', '*/*'],
        'x-forwarded-for': ['1.1.1.1', '2.2.2.2'],
        'user-agent': 'curl',
      },
      ARWWI,
    ),
  )
  assert.equal(resp.status, 200)
})

test('x-amzn-RequestId on every response, equal to the body’s RequestId; Date from the clock', async () => {
  const { app } = harness()
  const ok = await app.handle(req('POST', '/', FORM, ARWWI))
  const err = await app.handle(req('POST', '/', FORM, 'Action=Nope&Version=2011-06-15'))
  const health = await app.handle(req('GET', '/_irsa/health'))
  const eks = await app.handle(req('GET', '/clusters/x'))
  for (const r of [ok, err, health, eks]) {
    const id = r.headers['x-amzn-RequestId']
    assert.match(id ?? '', /^00000000-0000-4000-8000-\d{12}$/)
    assert.equal(r.headers['Date'], 'Sun, 01 Mar 2026 10:00:00 GMT')
    assert.equal(r.headers['Content-Length'], String(Buffer.byteLength(r.body)))
    if (r !== health && r !== eks) assert.ok(r.body.includes(`<RequestId>${id}</RequestId>`))
  }
  assert.equal(health.status, 200)
  assert.deepEqual(JSON.parse(health.body), { status: 'ok' })
})

test('MissingAction and InvalidAction, in the namespace of the service found', async () => {
  const { app } = harness()
  const missing = await app.handle(req('POST', '/', FORM, 'Version=2011-06-15'))
  assert.equal(missing.status, 400)
  assert.equal(code(missing.body), 'MissingAction')
  assert.ok(missing.body.startsWith(`<ErrorResponse xmlns="${STS_NS}">`))

  const invalid = await app.handle(
    req('POST', '/', FORM, 'Action=GetSessionToken&Version=2011-06-15'),
  )
  assert.equal(invalid.status, 400)
  assert.equal(code(invalid.body), 'InvalidAction')
  assert.match(
    invalid.body,
    /<Message>Could not find operation GetSessionToken for version 2011-06-15<\/Message>/,
  )

  const iamByHost = await app.handle(
    req('POST', '/', { ...FORM, host: 'iam.amazonaws.com' }, 'Action=CreateUser'),
  )
  assert.equal(code(iamByHost.body), 'InvalidAction')
  assert.ok(iamByHost.body.startsWith(`<ErrorResponse xmlns="${IAM_NS}">`))
  assert.match(iamByHost.body, /Could not find operation CreateUser for version 2010-05-08/)

  const nowhere = await app.handle(req('POST', '/', FORM, 'Action=Frobnicate'))
  assert.match(nowhere.body, /Could not find operation Frobnicate for version unknown/)

  const noBody = await app.handle(
    req('POST', '/', { 'content-type': 'application/json' }, '{"Action":"GetCallerIdentity"}'),
  )
  assert.equal(code(noBody.body), 'MissingAction', 'a non-form body is not read as parameters')
})

test('unsigned call to a signed action: MissingAuthenticationToken, routed by its Action', async () => {
  const { app, lines } = harness()
  const iam = await app.handle(req('POST', '/', FORM, 'Action=ListRoles&Version=2010-05-08'))
  assert.equal(iam.status, 403)
  assert.equal(code(iam.body), 'MissingAuthenticationToken')
  assert.ok(iam.body.startsWith(`<ErrorResponse xmlns="${IAM_NS}">`))
  assert.match(iam.body, /<Message>Request is missing Authentication Token<\/Message>/)
  assert.equal(lines().at(-1)?.['routedBy'], 'action')
})

test('Accept: application/json renders results and errors as JSON', async () => {
  const { app } = harness()
  const ok = await app.handle(req('GET', `/?${ARWWI}`, { accept: 'application/json' }))
  assert.equal(ok.headers['Content-Type'], 'application/json')
  const body = JSON.parse(ok.body) as {
    AssumeRoleWithWebIdentityResponse: {
      AssumeRoleWithWebIdentityResult: { Credentials: { Expiration: number } }
    }
  }
  assert.equal(
    typeof body.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult.Credentials
      .Expiration,
    'number',
  )
  const err = await app.handle(
    req('GET', '/?Action=AssumeRoleWithWebIdentity', { accept: 'application/json' }),
  )
  assert.equal(err.status, 400)
  assert.equal(err.headers['Content-Type'], 'application/json')
  assert.equal((JSON.parse(err.body) as { Error: { Code: string } }).Error.Code, 'ValidationError')
})

test('malformed bodies get AWS errors, never a crash', async () => {
  const { app } = harness()
  const cases: [AwsHttpRequest, string, number][] = [
    [req('POST', '/', FORM, 'Action=GetCallerIdentity&x=%ZZ'), 'MalformedQueryString', 404],
    [req('GET', '/?Action=%E0%A4%A'), 'MalformedQueryString', 404],
    [
      { ...req('POST', '/', FORM), body: Buffer.from([0x41, 0x3d, 0xff, 0xfe, 0x00]) },
      'MalformedQueryString',
      404,
    ],
    [req('POST', '/', FORM, '&&&==&'), 'MissingAction', 400],
    [
      req('POST', '/', FORM, 'Action=AssumeRoleWithWebIdentity&DurationSeconds=abc&RoleArn=x'),
      'InvalidParameterValue',
      400,
    ],
    [req('POST', '/', FORM, '\u0000\u0001binary'), 'MissingAction', 400],
  ]
  for (const [r, c, status] of cases) {
    const resp = await app.handle(r)
    assert.equal(code(resp.body), c, resp.body)
    assert.equal(resp.status, status)
  }
})

test('EKS: REST-JSON routes, errors with x-amzn-ErrorType, auth errors under EKS’s names', async () => {
  const { app } = harness({
    routes: [
      {
        service: 'eks',
        operation: 'Crash',
        method: 'GET',
        path: '/clusters/{name}/crash',
        auth: 'none',
        handle: () => {
          throw new Error(`boom ${SENTINEL_TOKEN}`)
        },
      },
    ],
  })
  const unknown = await app.handle(req('GET', '/clusters/a/b/c'))
  assert.equal(unknown.status, 404)
  assert.equal(unknown.headers['x-amzn-ErrorType'], 'NotFoundException')
  const unsigned = await app.handle(req('GET', '/clusters/local'))
  assert.equal(unsigned.status, 403)
  assert.equal(unsigned.headers['x-amzn-ErrorType'], 'MissingAuthenticationTokenException')
  assert.deepEqual(JSON.parse(unsigned.body), { message: 'Missing Authentication Token' })
  const crash = await app.handle(req('GET', '/clusters/local/crash'))
  assert.equal(crash.status, 500)
  assert.equal(crash.headers['x-amzn-ErrorType'], 'ServerException')
  assert.ok(!crash.body.includes(SENTINEL_TOKEN))

  const signed = await sign({
    keys: ADMIN,
    date: new Date(T0),
    method: 'GET',
    target: '/clusters/local',
    service: 'eks',
  })
  const ok = await app.handle(signed)
  assert.equal(ok.status, 200)
  assert.equal(
    (JSON.parse(ok.body) as { cluster: { createdAt: number } }).cluster.createdAt,
    Date.UTC(2026, 0, 2, 3, 4, 5) / 1000,
  )
  const wrongService = await sign({
    keys: ADMIN,
    date: new Date(T0),
    method: 'GET',
    target: '/clusters/local',
    service: 'sts',
  })
  const r = await app.handle(wrongService)
  assert.equal(r.status, 400, 'scope sts routes to STS, where GET /clusters/local has no Action')
  assert.equal(code(r.body), 'MissingAction')
  const stale = await app.handle({
    ...signed,
    headers: { ...signed.headers, 'x-amz-date': ['20260301T093000Z'] },
  })
  assert.equal(stale.headers['x-amzn-ErrorType'], 'InvalidSignatureException')
})

test('a presigned GetCallerIdentity URL is served', async () => {
  const { app } = harness()
  const r = await sign({
    keys: SESSION,
    date: new Date(T0 - 60_000),
    method: 'GET',
    target: '/?Action=GetCallerIdentity&Version=2011-06-15',
    presignSeconds: 900,
  })
  const resp = await app.handle(r)
  assert.equal(resp.status, 200, resp.body)
  assert.match(resp.body, /assumed-role\/app\/demo-session/)
})

test('one log line per request: route, status, code, reason; never a query string', async () => {
  const { app, lines } = harness()
  await app.handle(req('POST', '/', FORM, ARWWI))
  await app.handle(req('GET', `/?${ARWWI.replace('s1', 'fail-AccessDenied')}`))
  await app.handle(
    await sign({
      keys: ADMIN,
      date: new Date(T0),
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      headers: FORM,
    }),
  )
  await app.handle(req('GET', '/_irsa/health'))
  assert.equal(lines().length, 4)
  const [a, b, c, d] = lines()
  assert.deepEqual(
    [a?.['service'], a?.['action'], a?.['status'], a?.['routedBy'], a?.['roleArn'], a?.['level']],
    ['sts', 'AssumeRoleWithWebIdentity', 200, 'action', 'arn:aws:iam::111122223333:role/app', 30],
  )
  assert.equal(b?.['path'], '/')
  assert.equal(b['status'], 403)
  assert.equal(b['code'], 'AccessDenied')
  assert.equal(b['reason'], 'demo failure for fail-AccessDenied')
  assert.equal(c?.['accessKeyId'], ADMIN.accessKeyId)
  assert.equal(typeof c['ms'], 'number')
  assert.equal(d?.['level'], 20, 'health checks log at debug')
  for (const l of lines()) assert.equal(l['msg'], 'aws request')
})

test('handlers cannot overwrite the log line’s own fields; they get caller, time and address', async () => {
  let seen: unknown
  const { app, lines } = harness({
    actions: [
      {
        service: 'iam',
        action: 'Probe',
        auth: 'sigv4',
        handle: (ctx) => {
          seen = {
            caller: ctx.caller?.accessKeyId,
            now: ctx.nowMs,
            ip: ctx.sourceIp,
            id: ctx.requestId,
          }
          ctx.annotate({ status: 999, requestId: 'x', code: 'y', extra: 'kept' })
          return undefined
        },
      },
    ],
  })
  const r = await app.handle(
    await sign({
      keys: ADMIN,
      date: new Date(T0),
      body: 'Action=Probe&Version=2010-05-08',
      headers: FORM,
      service: 'iam',
      region: 'us-east-1',
    }),
  )
  assert.equal(r.status, 200)
  assert.ok(r.body.startsWith(`<ProbeResponse xmlns="${IAM_NS}">`))
  assert.ok(!r.body.includes('ProbeResult'))
  const line = lines().at(-1)!
  assert.equal(line['status'], 200)
  assert.equal(line['code'], undefined)
  assert.equal(line['extra'], 'kept')
  assert.deepEqual(seen, {
    caller: ADMIN.accessKeyId,
    now: T0,
    ip: '127.0.0.1',
    id: line['requestId'],
  })
})

test('duplicate registrations are refused', () => {
  const base = {
    credentials: demoCredentials,
    clock: manualClock(T0),
    logger: createLogger({ level: 'silent' }),
  }
  assert.throws(
    () => createAwsApp({ ...base, actions: [...demoActions(), ...demoActions()] }),
    /two handlers for sts:GetCallerIdentity/,
  )
  assert.throws(
    () => createAwsApp({ ...base, routes: [...demoRoutes(), ...demoRoutes()] }),
    /two routes for GET \/clusters/,
  )
})

test('sentinel: no token, secret or signature in any log line or response of the failure paths', async () => {
  const { app, raw } = harness()
  const INPUT = 'INPUT-SENTINEL-9d1f2e3c4b5a'
  const bodies: string[] = []
  const send = async (r: AwsHttpRequest | Promise<AwsHttpRequest>): Promise<void> => {
    const resp = await app.handle(await r)
    bodies.push(resp.body, JSON.stringify(resp.headers))
  }
  const date = new Date(T0)
  const body = 'Action=GetCallerIdentity&Version=2011-06-15'
  // Session tokens on every credential outcome.
  await send(sign({ keys: { ...SESSION, sessionToken: INPUT }, date, body, headers: FORM }))
  await send(sign({ keys: { ...EXPIRED_SESSION, sessionToken: INPUT }, date, body, headers: FORM }))
  await send(
    sign({
      keys: { ...SESSION, secretAccessKey: INPUT + 'x'.repeat(20) },
      date,
      body,
      headers: FORM,
    }),
  )
  await send(sign({ keys: SESSION, date: new Date(T0 - 3_600_000), body, headers: FORM }))
  const good = await sign({ keys: SESSION, date, body, headers: FORM })
  await send({ ...good, body: Buffer.from(`${body}&X=${INPUT}`) })
  // Presigned URLs carrying the token and signature in the query string.
  const presigned = await sign({
    keys: { ...SESSION, sessionToken: INPUT },
    date,
    method: 'GET',
    target: `/?${body}`,
    presignSeconds: 60,
  })
  await send(presigned)
  await send({ ...presigned, url: presigned.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=0') })
  // Web identity tokens in every AssumeRoleWithWebIdentity failure, POST and GET.
  const token = `eyJ${INPUT}.${INPUT}.${INPUT}`
  const arwwi = (extra: string) =>
    `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&WebIdentityToken=${token}${extra}`
  await send(req('POST', '/', FORM, arwwi('&RoleSessionName=bad%20name')))
  await send(req('POST', '/', FORM, arwwi('&RoleSessionName=fail-InvalidIdentityToken')))
  await send(req('GET', `/?${arwwi('&RoleSessionName=fail-ExpiredTokenException')}`))
  await send(
    req(
      'POST',
      '/',
      FORM,
      arwwi('&RoleSessionName=ok').replace(token, `${INPUT}${'A'.repeat(20001)}`),
    ),
  )
  await send(req('POST', '/', FORM, `${arwwi('&RoleSessionName=s')}&DurationSeconds=x`))
  // Authorization headers with the sentinel where the signature, algorithm or credential go.
  for (const auth of [
    `${INPUT} Credential=x`,
    `AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=${INPUT}`,
    `AWS4-HMAC-SHA256 ${INPUT}`,
    `AWS4-HMAC-SHA256 Credential=${ADMIN.accessKeyId}/20260301/us-west-2/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=${INPUT}`,
  ])
    await send(
      req(
        'POST',
        '/',
        {
          ...FORM,
          authorization: auth,
          'x-amz-date': '20260301T100000Z',
          'x-amz-security-token': INPUT,
        },
        body,
      ),
    )
  // Internal errors whose message holds a secret.
  await send(sign({ keys: ADMIN, date, body: 'Action=Boom&Version=2011-06-15', headers: FORM }))
  // Bodies over the limit and malformed bodies with the sentinel.
  await send(req('POST', '/', FORM, `Action=GetCallerIdentity&T=${INPUT}%ZZ`))

  const everything = [...raw, ...bodies].join('\n')
  for (const secret of [
    INPUT,
    SENTINEL_TOKEN,
    SESSION.secretAccessKey,
    ADMIN.secretAccessKey,
    EXPIRED_SESSION.sessionToken,
  ]) {
    assert.ok(
      !everything.includes(secret),
      `leaked ${secret.slice(0, 12)}… in ${[...raw, ...bodies].find((x) => x.includes(secret))}`,
    )
  }
  // No signature either: the SDK's signatures of the requests above never appear.
  const sig = /Signature=([0-9a-f]{64})/.exec(good.headers['authorization']![0]!)![1]!
  assert.ok(!everything.includes(sig))
  const presignedSig = /X-Amz-Signature=([0-9a-f]{64})/.exec(presigned.url)![1]!
  assert.ok(!everything.includes(presignedSig))
  // The internal error was logged, at error level, scrubbed.
  const boom = raw
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l['action'] === 'Boom')
  assert.equal(boom?.['level'], 50)
  assert.equal(boom['code'], 'InternalFailure')
  assert.match(String(boom['err']), /internal failure carrying \[redacted\]/)
})
