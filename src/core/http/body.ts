import type { IncomingMessage } from 'node:http'
import { IrsaError } from '../errors.js'

/**
 * After refusing a body, how long to go on reading (and dropping) it before hanging up:
 * a lingering close, as nginx does, so a client that is still sending reads the answer
 * instead of a reset.
 */
const DEFAULT_LINGER_MS = 10_000

/** A body over the limit (declared or as it streamed). Each surface maps it to its 413. */
export class BodyTooLargeError extends IrsaError {
  readonly limit: number
  constructor(limit: number) {
    super('ERR_BODY_TOO_LARGE', `request body over ${limit} bytes`)
    this.name = 'BodyTooLargeError'
    this.limit = limit
  }
}

/** The client went away before its body ended: an abort, not a server failure. */
export class BodyAbortedError extends IrsaError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_BODY_ABORTED', 'the client closed the connection before the body ended', options)
    this.name = 'BodyAbortedError'
  }
}

/** True when reading a body failed because the client disconnected. */
export function isBodyAborted(e: unknown): e is BodyAbortedError {
  return e instanceof BodyAbortedError
}

/**
 * Reads a request body of at most `limit` bytes: the one body reader of every irsa
 * server. A larger body (by `Content-Length` or as it streams) rejects with
 * {@link BodyTooLargeError}: buffering stops at once, and the rest is read and dropped
 * before the rejection, so that the client, having sent its whole request, reads the
 * 413 the caller answers (with `Connection: close`) instead of a reset. Dropping costs no
 * memory and is bounded in time: after `lingerMs` the rejection comes anyway and the
 * connection closes after the answer. A client that disconnects mid-body rejects with
 * {@link BodyAbortedError}.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  lingerMs: number = DEFAULT_LINGER_MS,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let linger: NodeJS.Timeout | undefined
    const refuse = (): void => {
      chunks.length = 0
      linger = setTimeout(giveUp, lingerMs)
      linger.unref()
    }
    const onData = (chunk: Buffer): void => {
      if (linger !== undefined) return
      size += chunk.length
      if (size > limit) refuse()
      else chunks.push(chunk)
    }
    const done = (): void => {
      clearTimeout(linger)
      req.removeListener('data', onData)
      req.removeListener('end', onEnd)
      req.removeListener('close', onClose)
    }
    const giveUp = (): void => {
      done()
      req.resume()
      reject(new BodyTooLargeError(limit))
    }
    const onEnd = (): void => {
      if (linger !== undefined) {
        giveUp()
        return
      }
      done()
      resolve(chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks, size))
    }
    const onClose = (): void => {
      done()
      reject(new BodyAbortedError())
    }
    req.on('error', (e) => {
      done()
      reject(new BodyAbortedError({ cause: e }))
    })
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) refuse()
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('close', onClose)
  })
}
