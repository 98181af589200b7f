import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { Writable } from 'node:stream'
import { createLogger, isIrsaError, systemClock } from '../../../src/core/index.js'
import { createAwsApp, startAwsServer } from '../../../src/aws/index.js'
import { demoActions, demoCredentials } from './demo.js'

function logged(): { logger: ReturnType<typeof createLogger>; raw: string[] } {
  const raw: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      cb()
    },
  })
  return { logger: createLogger({ level: 'debug', destination: sink }), raw }
}

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One request over a fresh connection; `chunks` are written one by one (chunked encoding). */
function send(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: readonly string[] = [],
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        body += d
      })
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
      })
    })
    req.on('error', reject)
    for (const c of chunks) req.write(c)
    req.end()
  })
}

async function started(limit?: number) {
  const { logger, raw } = logged()
  const app = createAwsApp({
    actions: demoActions(),
    credentials: demoCredentials,
    clock: systemClock,
    logger,
    ...(limit !== undefined ? { limits: { maxBodyBytes: limit } } : {}),
  })
  const server = await startAwsServer({ app, port: 0 })
  return { server, raw }
}

test('listens on loopback with an ephemeral port; health over the socket; GET and HEAD', async (t) => {
  const { server } = await started()
  t.after(() => server.close())
  assert.equal(server.host, '127.0.0.1')
  assert.ok(server.port > 0)
  assert.equal(server.origin, `http://127.0.0.1:${server.port}`)
  const get = await send(server.origin, 'GET', '/_irsa/health', {})
  assert.equal(get.status, 200)
  assert.equal(get.body, '{"status":"ok"}')
  const head = await send(server.origin, 'HEAD', '/_irsa/health', {})
  assert.equal(head.status, 200)
  assert.equal(head.body, '')
  assert.equal(head.headers['content-length'], '15')
  assert.match(String(head.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/)
})

test('a streamed (chunked) body over the limit is 413 and nothing of it is logged', async (t) => {
  const { server, raw } = await started(1024)
  t.after(() => server.close())
  const secret = 'OVERSIZE-SENTINEL-0a1b2c'
  const chunks = [
    'Action=AssumeRoleWithWebIdentity&WebIdentityToken=',
    ...Array(64).fill(`${secret}${'x'.repeat(100)}`),
  ]
  const r = await send(
    server.origin,
    'POST',
    '/',
    { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
    chunks,
  )
  assert.equal(r.status, 413)
  assert.match(r.body, /<Code>RequestEntityTooLarge<\/Code>/)
  assert.match(r.body, /<Message>Request body must be at most 1024 bytes<\/Message>/)
  assert.equal(r.headers['connection'], 'close')
  const line = JSON.parse(raw.at(-1)!) as Record<string, unknown>
  assert.equal(line['status'], 413)
  assert.equal(line['code'], 'RequestEntityTooLarge')
  assert.ok(!raw.join('\n').includes(secret))
  assert.ok(!r.body.includes(secret))
  // The server is still fine afterwards.
  assert.equal((await send(server.origin, 'GET', '/_irsa/health', {})).status, 200)
})

test('a body exactly at the limit is read; one byte more is refused', async (t) => {
  const { server } = await started(64)
  t.after(() => server.close())
  const base = 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&X='
  const at = base + 'a'.repeat(64 - base.length)
  const ok = await send(
    server.origin,
    'POST',
    '/',
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    [at],
  )
  assert.notEqual(ok.status, 413)
  assert.match(ok.body, /<Code>ValidationError<\/Code>/)
  const over = await send(
    server.origin,
    'POST',
    '/',
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    [`${at}a`],
  )
  assert.equal(over.status, 413)
})

test('a port in use is a one-line ERR_LISTEN; close is idempotent', async () => {
  const { server } = await started()
  await assert.rejects(
    startAwsServer({
      app: createAwsApp({
        credentials: demoCredentials,
        clock: systemClock,
        logger: createLogger({ level: 'silent' }),
      }),
      port: server.port,
    }),
    (e) => isIrsaError(e) && e.code === 'ERR_LISTEN' && /EADDRINUSE/.test(e.message),
  )
  await server.close()
  await server.close()
})

test('a client that disconnects mid-body is logged as an abort, below error (regression)', async (t) => {
  const { server, raw } = await started()
  t.after(() => server.close())
  const { connect } = await import('node:net')
  const sock = connect(server.port, '127.0.0.1')
  sock.write(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
      'Content-Length: 1000\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15',
  )
  await new Promise((r) => setTimeout(r, 50))
  sock.destroy()
  for (let i = 0; i < 200 && !raw.some((l) => l.includes('aborted')); i++)
    await new Promise((r) => setTimeout(r, 10))
  const lines = raw.map((l) => JSON.parse(l) as { level: number; msg: string; status?: number })
  const aborted = lines.find((l) => l.msg === 'aws request aborted')
  assert.ok(aborted !== undefined, raw.join('\n'))
  assert.equal(aborted.level, 30, 'an abort is info, not error')
  assert.ok(!lines.some((l) => l.level >= 50), 'no error-level line')
  assert.ok(!lines.some((l) => l.status === 500), 'no 500 logged')
})
