import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Socket } from 'node:net'
import { exitStatus } from '../../../src/kubeapi/exec.js'
import { LOG_BYTES, PodLogs, tailLines } from '../../../src/kubeapi/logs.js'
import {
  acceptKey,
  closePayload,
  encodeFrame,
  FrameParser,
  OPCODE,
  WebSocketConnection,
  WsProtocolError,
  type WsMessage,
} from '../../../src/kubeapi/websocket.js'

const MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d])

test('acceptKey: the example of RFC 6455 §1.3', () => {
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
})

test('a masked frame: the bytes of RFC 6455 §5.7, unmasked; server frames are not masked', () => {
  const rfc = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
  assert.deepEqual(encodeFrame(OPCODE.text, Buffer.from('Hello'), { mask: MASK }), rfc)
  const m = new FrameParser().push(rfc)[0]
  assert.deepEqual(m, { opcode: OPCODE.text, data: Buffer.from('Hello') })
  assert.deepEqual(
    encodeFrame(OPCODE.text, Buffer.from('Hello')),
    Buffer.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]),
  )
})

test('a client frame without a mask is a protocol error (1002)', () => {
  assert.throws(
    () => new FrameParser().push(encodeFrame(OPCODE.binary, Buffer.from([1, 2]))),
    (e: unknown) => e instanceof WsProtocolError && e.code === 1002,
  )
})

test('16- and 64-bit lengths, and frames split at every byte', () => {
  for (const size of [125, 126, 300, 65535, 65536, 70000]) {
    const payload = Buffer.alloc(size, 7)
    payload[0] = 1
    const frame = encodeFrame(OPCODE.binary, payload, { mask: MASK })
    assert.equal(frame[1]! & 0x7f, size < 126 ? size : size < 65536 ? 126 : 127)
    const m = new FrameParser().push(frame)[0]
    assert.deepEqual(m?.data, payload)
  }
  const frame = encodeFrame(OPCODE.binary, Buffer.from('byte by byte'), { mask: MASK })
  const parser = new FrameParser()
  const got: WsMessage[] = []
  for (const b of frame) got.push(...parser.push(Buffer.from([b])))
  assert.equal(got.length, 1)
  assert.equal(got[0]?.data.toString(), 'byte by byte')
})

test('fragments are joined; a control frame may come between them', () => {
  const wire = Buffer.concat([
    encodeFrame(OPCODE.binary, Buffer.from([1, 0x48, 0x65]), { fin: false, mask: MASK }),
    encodeFrame(OPCODE.ping, Buffer.from('p'), { mask: MASK }),
    encodeFrame(OPCODE.continuation, Buffer.from('l'), { fin: false, mask: MASK }),
    encodeFrame(OPCODE.continuation, Buffer.from('lo'), { mask: MASK }),
  ])
  const got = new FrameParser().push(wire)
  assert.deepEqual(
    got.map((m) => [m.opcode, m.data.toString('latin1')]),
    [
      [OPCODE.ping, 'p'],
      [OPCODE.binary, '\x01Hello'],
    ],
  )
})

test('refused: a continuation of nothing, a message inside a fragmented one, a fragmented or long control frame, reserved bits and opcodes, too big', () => {
  const refused = (wire: Buffer, code = 1002): void => {
    assert.throws(
      () => new FrameParser({ maxMessageBytes: 1000 }).push(wire),
      (e: unknown) => e instanceof WsProtocolError && e.code === code,
    )
  }
  refused(encodeFrame(OPCODE.continuation, Buffer.from('x'), { mask: MASK }))
  refused(
    Buffer.concat([
      encodeFrame(OPCODE.binary, Buffer.from('a'), { fin: false, mask: MASK }),
      encodeFrame(OPCODE.binary, Buffer.from('b'), { mask: MASK }),
    ]),
  )
  refused(encodeFrame(OPCODE.ping, Buffer.from('x'), { fin: false, mask: MASK }))
  refused(encodeFrame(OPCODE.ping, Buffer.alloc(126), { mask: MASK }))
  const rsv = encodeFrame(OPCODE.binary, Buffer.from('x'), { mask: MASK })
  rsv[0] = rsv[0]! | 0x40
  refused(rsv)
  refused(encodeFrame(0x3, Buffer.from('x'), { mask: MASK }))
  refused(encodeFrame(0xb, Buffer.from('x'), { mask: MASK }))
  refused(encodeFrame(OPCODE.binary, Buffer.alloc(1001), { mask: MASK }), 1009)
  refused(
    Buffer.concat([
      encodeFrame(OPCODE.binary, Buffer.alloc(600), { fin: false, mask: MASK }),
      encodeFrame(OPCODE.continuation, Buffer.alloc(600), { mask: MASK }),
    ]),
    1009,
  )
})

/** A WebSocketConnection on the server end of a TCP pair, and the client's socket. */
async function pair(
  onMessage: (m: WsMessage) => void = () => undefined,
): Promise<{ client: Socket; conn: WebSocketConnection; closed: Promise<number | undefined> }> {
  let resolveClosed: (code: number | undefined) => void = () => undefined
  const closed = new Promise<number | undefined>((r) => (resolveClosed = r))
  let conn: WebSocketConnection | undefined
  const server = createServer((socket) => {
    conn = new WebSocketConnection({
      socket,
      protocol: 'v5.channel.k8s.io',
      onMessage,
      onClose: resolveClosed,
    })
    server.close()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const client = connect(port, '127.0.0.1')
  await new Promise((r) => client.on('connect', r))
  while (conn === undefined) await new Promise((r) => setTimeout(r, 5))
  return { client, conn, closed }
}

function received(client: Socket): () => WsMessage[] {
  const parser = new FrameParser({ requireMask: false })
  const got: WsMessage[] = []
  client.on('data', (chunk: Buffer) => got.push(...parser.push(chunk)))
  return () => got
}

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!done()) {
    if (Date.now() > deadline) assert.fail('not within 5 s')
    await new Promise((r) => setTimeout(r, 5))
  }
}

test('a connection answers pings with pongs, passes messages on, and answers a close', async () => {
  const messages: WsMessage[] = []
  const { client, closed } = await pair((m) => messages.push(m))
  const got = received(client)
  client.write(encodeFrame(OPCODE.ping, Buffer.from('hb'), { mask: MASK }))
  client.write(encodeFrame(OPCODE.binary, Buffer.from([0, 104, 105]), { mask: MASK }))
  await until(() => got().length === 1 && messages.length === 1)
  assert.deepEqual(got()[0], { opcode: OPCODE.pong, data: Buffer.from('hb') })
  assert.deepEqual([...messages[0]!.data], [0, 104, 105])
  client.write(encodeFrame(OPCODE.close, closePayload(1000), { mask: MASK }))
  assert.equal(await closed, 1000)
  await until(() => got().length === 2)
  assert.equal(got()[1]?.opcode, OPCODE.close)
  assert.equal(got()[1]?.data.readUInt16BE(0), 1000)
  client.destroy()
})

test('the server closes: binary messages, then a close frame with its code; a protocol error closes with 1002', async () => {
  const { client, conn } = await pair()
  const got = received(client)
  conn.sendBinary(Buffer.from([1, 0x6f, 0x6b]))
  conn.close(1000)
  conn.sendBinary(Buffer.from([1]))
  await until(() => got().length === 2)
  assert.deepEqual(got()[0], { opcode: OPCODE.binary, data: Buffer.from([1, 0x6f, 0x6b]) })
  assert.equal(got()[1]?.data.readUInt16BE(0), 1000)
  assert.equal(conn.closed, true)
  client.destroy()

  const bad = await pair()
  const badGot = received(bad.client)
  bad.client.write(encodeFrame(OPCODE.binary, Buffer.from('unmasked')))
  await until(() => badGot().length === 1)
  assert.equal(badGot()[0]?.opcode, OPCODE.close)
  assert.equal(badGot()[0]?.data.readUInt16BE(0), 1002)
  bad.client.destroy()
  await bad.closed
})

test("the exit code's Status on the error channel, as client-go's v4 decoder reads it", () => {
  assert.deepEqual(exitStatus(0, ['true']), { metadata: {}, status: 'Success' })
  const failed = exitStatus(3, ['sh', '-c', 'exit 3']) as {
    status: string
    reason: string
    details: { causes: { reason: string; message: string }[] }
  }
  assert.equal(failed.status, 'Failure')
  assert.equal(failed.reason, 'NonZeroExitCode')
  assert.deepEqual(failed.details.causes, [{ reason: 'ExitCode', message: '3' }])
})

test('pod logs: the last exec only, its last 64 KiB, not a later pod of the same name; --tail', () => {
  const logs = new PodLogs()
  logs.begin('default', 'web', 'app', 'uid-1')(Buffer.from('old\n'))
  const write = logs.begin('default', 'web', 'app', 'uid-1')
  write(Buffer.from('a\nb\n'))
  assert.equal(logs.read('default', 'web', 'app', 'uid-1').toString(), 'a\nb\n')
  assert.equal(logs.read('default', 'web', 'app', 'uid-2').length, 0)
  assert.equal(logs.read('default', 'web', 'other', 'uid-1').length, 0)
  write(Buffer.alloc(LOG_BYTES, 'x'))
  write(Buffer.from('end'))
  const kept = logs.read('default', 'web', 'app', 'uid-1')
  assert.equal(kept.length, LOG_BYTES)
  assert.ok(kept.toString().endsWith('xend'))
  const text = Buffer.from('1\n2\n3\n')
  assert.equal(tailLines(text, 2).toString(), '2\n3\n')
  assert.equal(tailLines(text, 5).toString(), '1\n2\n3\n')
  assert.equal(tailLines(text, 0).toString(), '')
  assert.equal(tailLines(Buffer.from('1\n2'), 1).toString(), '2')
})
