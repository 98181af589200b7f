import type { IncomingMessage } from 'node:http'
import { awsError } from '../errors/aws-error.js'
import { COMMON_ERRORS } from '../errors/common.js'

/** The default request body limit: 1 MiB, far above any IAM/STS request. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/** After refusing a body, read (and drop) at most this much more before hanging up. */
const DRAIN_BYTES = 4 * 1024 * 1024

/**
 * Reads a request body of at most `limit` bytes. A larger body (by `Content-Length` or
 * as it streams) is `RequestEntityTooLarge`: buffering stops at once and the rest is
 * read and dropped (up to a bound, then the connection is cut) so the client still
 * reads the 413 instead of a reset.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) tooLarge()
      else chunks.push(chunk)
    }
    const onEnd = (): void => {
      resolve(chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks, size))
    }
    const tooLarge = (): void => {
      req.removeListener('data', onData)
      req.removeListener('end', onEnd)
      chunks.length = 0
      let dropped = 0
      req.on('data', (chunk: Buffer) => {
        dropped += chunk.length
        if (dropped > DRAIN_BYTES) req.socket.destroy()
      })
      req.resume()
      reject(
        awsError(COMMON_ERRORS.RequestEntityTooLarge, {
          params: { limit },
          reason: `request body over ${limit} bytes`,
        }),
      )
    }
    req.on('error', reject)
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      tooLarge()
      return
    }
    req.on('data', onData)
    req.on('end', onEnd)
  })
}
