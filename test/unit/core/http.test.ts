/**
 * src/core/http: the one listener and body reader of every irsa server, over real
 * sockets on 127.0.0.1. Oversized bodies are answered, not reset, whether the client
 * declares their length or streams them; a client that hangs up mid-body is an abort;
 * close lets in-flight requests finish within the grace period and cuts the rest.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { plainPython, runProcess } from '../../helpers/tools.js'
import {
  BodyAbortedError,
  BodyTooLargeError,
  listen,
  readBody,
  type Listening,
} from '../../../src/core/index.js'

/** A server whose handler reads the body with `limit` and reports the outcome. */
async function bodyServer(
  t: { after: (fn: () => unknown) => void },
  limit: number,
  lingerMs?: number,
): Promise<{ srv: Listening; outcomes: unknown[] }> {
  const outcomes: unknown[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    readBody(req, limit, lingerMs).then(
      (b) => {
        outcomes.push(b.length)
        res.end(`got ${b.length}`)
      },
      (e: unknown) => {
        outcomes.push(e)
        if (e instanceof BodyTooLargeError) {
          res.writeHead(413, { connection: 'close' })
          res.end('too large')
        } else res.destroy()
      },
    )
  })
  const srv = await listen(server, { host: '127.0.0.1', port: 0, scheme: 'http', label: 'test' })
  t.after(() => srv.close())
  return { srv, outcomes }
}

function post(
  origin: string,
  body: Buffer,
  chunked: boolean,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${origin}/`,
      {
        method: 'POST',
        headers: chunked ? {} : { 'content-length': String(body.length) },
      },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text })
        })
      },
    )
    req.on('error', reject)
    if (chunked) {
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.subarray(i, i + 16 * 1024))
      req.end()
    } else req.end(body)
  })
}

test('a body within the limit is read whole, declared or chunked', async (t) => {
  const { srv } = await bodyServer(t, 1000)
  assert.deepEqual(await post(srv.origin, Buffer.alloc(1000, 1), false), {
    status: 200,
    text: 'got 1000',
  })
  assert.deepEqual(await post(srv.origin, Buffer.alloc(999, 1), true), {
    status: 200,
    text: 'got 999',
  })
})

test('an oversized body is answered 413 after it is drained, declared or streamed', async (t) => {
  const { srv, outcomes } = await bodyServer(t, 1000)
  for (const chunked of [false, true]) {
    const r = await post(srv.origin, Buffer.alloc(200_000, 1), chunked)
    assert.equal(r.status, 413)
    assert.equal(r.text, 'too large')
  }
  assert.ok(outcomes.every((o) => o instanceof BodyTooLargeError && o.limit === 1000))
})

test('an oversized body that never ends is answered after the linger time, then closed', async (t) => {
  const { srv, outcomes } = await bodyServer(t, 10, 200)
  // Declared, never sent: after 200 ms of lingering the 413 goes out and the socket closes.
  const sock = connect(srv.port, '127.0.0.1')
  sock.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n')
  let text = ''
  sock.on('data', (d: Buffer) => (text += d.toString()))
  await new Promise((r) => sock.on('close', r))
  assert.match(text, /^HTTP\/1\.1 413/)
  assert.match(text, /connection: close/i)
  assert.ok(outcomes[0] instanceof BodyTooLargeError)
})

test('a client that hangs up mid-body is an abort, not a failure', async (t) => {
  const { srv, outcomes } = await bodyServer(t, 1000)
  const sock = connect(srv.port, '127.0.0.1')
  sock.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nabc')
  await new Promise((r) => setTimeout(r, 50))
  sock.destroy()
  for (let i = 0; i < 100 && outcomes.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(outcomes[0] instanceof BodyAbortedError, String(outcomes[0]))
})

test('Python urllib reads the 413 of an oversized body (no reset, no EOF)', async (t) => {
  const oracle = plainPython()
  if (oracle.skip !== false) {
    t.skip(oracle.skip)
    return
  }
  const { srv } = await bodyServer(t, 1000)
  const script = [
    'import urllib.request, urllib.error, sys',
    "req = urllib.request.Request(sys.argv[1], data=b'x' * 8000000, method='POST')",
    'try:',
    '    urllib.request.urlopen(req)',
    "    print('no error')",
    'except urllib.error.HTTPError as e:',
    '    print(e.code)',
  ].join('\n')
  const r = await runProcess('python3', ['-c', script, `${srv.origin}/`])
  assert.equal(r.stdout.trim(), '413', r.stderr)
})

test('close lets an in-flight request finish within the grace period', async () => {
  let release: () => void = () => undefined
  const server = createServer((_req, res) => {
    release = () => res.end('late')
  })
  const srv = await listen(server, {
    host: '127.0.0.1',
    port: 0,
    scheme: 'http',
    label: 'test',
    graceMs: 5000,
  })
  const answer = new Promise<string>((resolve, reject) => {
    request(`${srv.origin}/`, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () => {
        resolve(text)
      })
    })
      .on('error', reject)
      .end()
  })
  await new Promise((r) => setTimeout(r, 50))
  const closed = srv.close()
  release()
  assert.equal(await answer, 'late')
  await closed
})

test('a port in use is ERR_LISTEN naming the address', async (t) => {
  const a = await listen(createServer(), { host: '127.0.0.1', port: 0, scheme: 'http', label: 'a' })
  t.after(() => a.close())
  await assert.rejects(
    listen(createServer(), { host: '127.0.0.1', port: a.port, scheme: 'http', label: 'b' }),
    (e: unknown) => {
      assert.equal((e as { code: string }).code, 'ERR_LISTEN')
      assert.match((e as Error).message, new RegExp(`127\\.0\\.0\\.1:${a.port}: EADDRINUSE`))
      return true
    },
  )
  assert.equal(a.origin, `http://127.0.0.1:${a.port}`)
})
