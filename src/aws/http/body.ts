import type { IncomingMessage } from 'node:http'
import { BodyTooLargeError, readBody as readCoreBody } from '../../core/index.js'
import { awsError } from '../errors/aws-error.js'
import { COMMON_ERRORS } from '../errors/common.js'

/** The default request body limit: 1 MiB, far above any IAM/STS request. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * Reads a request body of at most `limit` bytes with core's reader; a larger body is
 * `RequestEntityTooLarge`. A client that disconnects mid-body rejects with core's
 * `BodyAbortedError`, which the app logs as an abort, not a failure.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await readCoreBody(req, limit)
  } catch (e) {
    if (e instanceof BodyTooLargeError)
      throw awsError(COMMON_ERRORS.RequestEntityTooLarge, {
        params: { limit },
        reason: `request body over ${limit} bytes`,
      })
    throw e
  }
}
