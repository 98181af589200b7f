import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * The server side of WebSocket (RFC 6455) for `kubectl exec`: the opening handshake
 * answered on `node:https`'s `upgrade` event, frames parsed (client frames must be masked,
 * fragments joined, control frames interleaved) and written (unmasked, as a server does),
 * pings answered with pongs (client-go pings every 5 s and gives up after 61 s without a
 * pong or data), and the closing handshake.
 */

/** RFC 6455 §1.3: appended to `Sec-WebSocket-Key` before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const

/** Close codes used here (RFC 6455 §7.4.1). */
export const CLOSE = {
  normal: 1000,
  protocolError: 1002,
  tooBig: 1009,
} as const

/** The largest message accepted (client-go's frames are at most 32 KiB + 1 KiB). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`. */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64')
}

/** One frame, as written: `fin` false for all but the last fragment. */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  o: { readonly fin?: boolean; readonly mask?: Uint8Array } = {},
): Buffer {
  const len = payload.length
  const ext = len < 126 ? 0 : len < 0x10000 ? 2 : 8
  const maskLen = o.mask === undefined ? 0 : 4
  const head = Buffer.alloc(2 + ext + maskLen)
  head[0] = ((o.fin ?? true) ? 0x80 : 0) | (opcode & 0x0f)
  const lenByte = ext === 0 ? len : ext === 2 ? 126 : 127
  head[1] = (maskLen > 0 ? 0x80 : 0) | lenByte
  if (ext === 2) head.writeUInt16BE(len, 2)
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2)
  const body = Buffer.from(payload)
  if (o.mask !== undefined) {
    Buffer.from(o.mask).copy(head, 2 + ext)
    for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (o.mask[i % 4] ?? 0)
  }
  return Buffer.concat([head, body])
}

/** A complete message or a control frame. */
export interface WsMessage {
  readonly opcode: number
  readonly data: Buffer
}

/** A violation of the protocol: the connection is closed with `code`. */
export class WsProtocolError extends Error {
  readonly code: number
  constructor(message: string, code: number = CLOSE.protocolError) {
    super(message)
    this.name = 'WsProtocolError'
    this.code = code
  }
}

/**
 * Parses the bytes a client sends into messages: `push` returns the messages (data
 * messages with their fragments joined, control frames as they come) completed by the
 * chunk, and throws {@link WsProtocolError} on an unmasked frame, a reserved bit or
 * opcode, a fragmented or oversized control frame, a continuation out of place, or a
 * message above `maxMessageBytes`.
 */
export class FrameParser {
  #buf: Buffer = Buffer.alloc(0)
  #fragments: Buffer[] = []
  #fragmentBytes = 0
  #fragmentOpcode: number | undefined
  readonly #max: number
  readonly #requireMask: boolean

  constructor(o: { readonly maxMessageBytes?: number; readonly requireMask?: boolean } = {}) {
    this.#max = o.maxMessageBytes ?? MAX_MESSAGE_BYTES
    this.#requireMask = o.requireMask ?? true
  }

  push(chunk: Buffer): WsMessage[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk])
    const out: WsMessage[] = []
    for (;;) {
      const frame = this.#frame()
      if (frame === undefined) return out
      const message = this.#assemble(frame)
      if (message !== undefined) out.push(message)
    }
  }

  #frame(): { fin: boolean; opcode: number; data: Buffer } | undefined {
    const b = this.#buf
    if (b.length < 2) return undefined
    const b0 = b[0] ?? 0
    const b1 = b[1] ?? 0
    if ((b0 & 0x70) !== 0) throw new WsProtocolError('reserved bits set')
    const fin = (b0 & 0x80) !== 0
    const opcode = b0 & 0x0f
    const masked = (b1 & 0x80) !== 0
    if (this.#requireMask && !masked) throw new WsProtocolError('client frame not masked')
    let len = b1 & 0x7f
    let offset = 2
    if (len === 126) {
      if (b.length < 4) return undefined
      len = b.readUInt16BE(2)
      offset = 4
    } else if (len === 127) {
      if (b.length < 10) return undefined
      const big = b.readBigUInt64BE(2)
      if (big > BigInt(this.#max)) throw new WsProtocolError('message too big', CLOSE.tooBig)
      len = Number(big)
      offset = 10
    }
    if (opcode >= 0x8) {
      if (!fin) throw new WsProtocolError('fragmented control frame')
      if (len > 125) throw new WsProtocolError('control frame above 125 bytes')
    }
    if (len > this.#max) throw new WsProtocolError('message too big', CLOSE.tooBig)
    const maskAt = offset
    if (masked) offset += 4
    if (b.length < offset + len) return undefined
    const data = Buffer.from(b.subarray(offset, offset + len))
    if (masked) for (let i = 0; i < len; i++) data[i] = (data[i] ?? 0) ^ (b[maskAt + (i % 4)] ?? 0)
    this.#buf = b.subarray(offset + len)
    return { fin, opcode, data }
  }

  #assemble(f: { fin: boolean; opcode: number; data: Buffer }): WsMessage | undefined {
    if (f.opcode >= 0x8) {
      if (f.opcode !== OPCODE.close && f.opcode !== OPCODE.ping && f.opcode !== OPCODE.pong)
        throw new WsProtocolError(`reserved opcode ${String(f.opcode)}`)
      return { opcode: f.opcode, data: f.data }
    }
    if (f.opcode === OPCODE.continuation) {
      if (this.#fragmentOpcode === undefined) throw new WsProtocolError('continuation of nothing')
    } else {
      if (f.opcode !== OPCODE.text && f.opcode !== OPCODE.binary)
        throw new WsProtocolError(`reserved opcode ${String(f.opcode)}`)
      if (this.#fragmentOpcode !== undefined)
        throw new WsProtocolError('new message inside a fragmented one')
      if (f.fin) return { opcode: f.opcode, data: f.data }
      this.#fragmentOpcode = f.opcode
    }
    this.#fragmentBytes += f.data.length
    if (this.#fragmentBytes > this.#max) throw new WsProtocolError('message too big', CLOSE.tooBig)
    this.#fragments.push(f.data)
    if (!f.fin) return undefined
    const message = { opcode: this.#fragmentOpcode, data: Buffer.concat(this.#fragments) }
    this.#fragmentOpcode = undefined
    this.#fragments = []
    this.#fragmentBytes = 0
    return message
  }
}

/** The payload of a close frame: the code, then the reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const r = Buffer.from(reason.slice(0, 120))
  const b = Buffer.alloc(2 + r.length)
  b.writeUInt16BE(code, 0)
  r.copy(b, 2)
  return b
}

/** An open WebSocket connection (server side). */
export class WebSocketConnection {
  readonly protocol: string
  readonly #socket: Duplex
  readonly #parser = new FrameParser()
  #closeSent = false
  #closed = false
  readonly #onMessage: (m: WsMessage) => void
  readonly #onClose: (code: number | undefined) => void

  constructor(o: {
    readonly socket: Duplex
    readonly protocol: string
    readonly head?: Buffer
    readonly onMessage: (m: WsMessage) => void
    readonly onClose: (code: number | undefined) => void
  }) {
    this.protocol = o.protocol
    this.#socket = o.socket
    this.#onMessage = o.onMessage
    this.#onClose = o.onClose
    o.socket.on('data', (chunk: Buffer) => {
      this.#receive(chunk)
    })
    o.socket.on('close', () => {
      this.#finish(undefined)
    })
    o.socket.on('error', () => {
      this.#finish(undefined)
    })
    if (o.head !== undefined && o.head.length > 0) {
      const head = o.head
      queueMicrotask(() => {
        this.#receive(head)
      })
    }
  }

  get closed(): boolean {
    return this.#closed || this.#closeSent
  }

  #receive(chunk: Buffer): void {
    if (this.#closed) return
    let messages: WsMessage[]
    try {
      messages = this.#parser.push(chunk)
    } catch (e) {
      this.close(e instanceof WsProtocolError ? e.code : CLOSE.protocolError)
      this.#socket.end()
      return
    }
    for (const m of messages) {
      if (m.opcode === OPCODE.ping) this.#write(OPCODE.pong, m.data)
      else if (m.opcode === OPCODE.pong) continue
      else if (m.opcode === OPCODE.close) {
        const code = m.data.length >= 2 ? m.data.readUInt16BE(0) : undefined
        this.close(code ?? CLOSE.normal)
        this.#socket.end()
        this.#finish(code)
        return
      } else this.#onMessage(m)
    }
  }

  #write(opcode: number, payload: Uint8Array): void {
    if (this.#closeSent || this.#socket.destroyed) return
    this.#socket.write(encodeFrame(opcode, payload))
  }

  /** Sends one binary message. */
  sendBinary(payload: Uint8Array): void {
    this.#write(OPCODE.binary, payload)
  }

  /** Sends a close frame (once) and ends the socket when the client answers or after 5 s. */
  close(code: number = CLOSE.normal, reason = ''): void {
    if (this.#closeSent || this.#socket.destroyed) return
    this.#socket.write(encodeFrame(OPCODE.close, closePayload(code, reason)))
    this.#closeSent = true
    const timer = setTimeout(() => this.#socket.destroy(), 5000)
    timer.unref()
    this.#socket.once('close', () => {
      clearTimeout(timer)
    })
  }

  #finish(code: number | undefined): void {
    if (this.#closed) return
    this.#closed = true
    this.#onClose(code)
  }
}

/** Why a handshake was refused: the HTTP status to answer with. */
export interface HandshakeRefusal {
  readonly status: number
  readonly message: string
}

/**
 * Checks an upgrade request as RFC 6455 §4.2.1 asks (GET, `Upgrade: websocket`,
 * `Connection: Upgrade`, a 16-byte `Sec-WebSocket-Key`, version 13) and picks the first
 * of `supported` that the client offers in `Sec-WebSocket-Protocol` (none: refused).
 */
export function checkHandshake(
  req: IncomingMessage,
  supported: readonly string[],
): { readonly key: string; readonly protocol: string } | HandshakeRefusal {
  const h = req.headers
  if ((h.upgrade ?? '').toLowerCase() !== 'websocket')
    return { status: 400, message: 'Upgrade request required' }
  if (req.method !== 'GET') return { status: 400, message: 'websocket upgrade needs GET' }
  const connection = (h.connection ?? '').toLowerCase().split(/\s*,\s*/)
  const key = h['sec-websocket-key']
  if (!connection.includes('upgrade') || typeof key !== 'string')
    return { status: 400, message: 'not a websocket handshake' }
  if (Buffer.from(key, 'base64').length !== 16)
    return { status: 400, message: 'bad Sec-WebSocket-Key' }
  if (h['sec-websocket-version'] !== '13')
    return { status: 426, message: 'unsupported websocket version' }
  const offered = (h['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  const protocol = supported.find((p) => offered.includes(p))
  if (protocol === undefined)
    return {
      status: 400,
      message: `websocket protocol must be one of ${supported.join(', ')}`,
    }
  return { key, protocol }
}

/** The 101 answer to a handshake. */
export function switchingProtocols(key: string, protocol: string): string {
  return (
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
    `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`
  )
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
  500: 'Internal Server Error',
}

/** Answers an upgrade request with a plain HTTP response (a JSON body) and ends the socket. */
export function refuseUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  socket.end(
    `HTTP/1.1 ${String(status)} ${REASONS[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${String(Buffer.byteLength(text))}\r\n` +
      'Connection: close\r\n\r\n' +
      text,
  )
}
