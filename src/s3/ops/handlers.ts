import { createS3Files, type S3Files } from '../storage/files.js'
import type { S3Handler, S3Handlers, S3Operation } from '../types.js'
import { bucketHandlers } from './buckets.js'
import { configHandlers } from './config.js'
import { createS3Records, type S3Records } from '../storage/records.js'
import type { S3Env, S3OpsDeps } from './env.js'
import { listingHandlers } from './listing.js'
import { multipartHandlers } from './multipart.js'
import { objectHandlers } from './objects.js'

/** The handlers, and what startup did. */
export interface S3Operations<P> {
  readonly handlers: S3Handlers<P>
  /** The object file store (for tests and `irsa doctor`). */
  readonly files: S3Files
  /** How many orphan files startup removed (interrupted writes, crashes before a commit). */
  readonly swept: number
  /** The bucket and object rows the handlers read (memoised; the authoriser reads them too). */
  readonly records: S3Records
}

/** Every handler as one that rejects (never throws synchronously). */
function rejecting<P>(handlers: S3Handlers<P>): S3Handlers<P> {
  const out: Partial<Record<S3Operation, S3Handler<P>>> = {}
  for (const [op, handle] of Object.entries(handlers) as [S3Operation, S3Handler<P>][])
    out[op] = async (ctx) => handle(ctx)
  return out as S3Handlers<P>
}

/**
 * Every S3 operation's handler over the store's S3 tables and the object files under
 * `DIR/s3`. Building it sweeps orphan files first: temp files of interrupted writes
 * and data files no row names; call it once at startup, before serving.
 */
export function createS3Operations<P>(deps: S3OpsDeps<P>): S3Operations<P> {
  const files = createS3Files(deps.dataDir)
  const swept = files.sweep(deps.store.s3Objects.dataFiles())
  const records = createS3Records(deps.store)
  const env: S3Env<P> = {
    store: deps.store,
    records,
    files,
    rules: deps.policyRules,
    identify: (caller) => (caller === undefined ? undefined : deps.identify(caller)),
  }
  const handlers: S3Handlers<P> = {
    ...bucketHandlers(env),
    ...listingHandlers(env),
    ...objectHandlers(env),
    ...multipartHandlers(env),
    ...configHandlers(env),
  }
  return { handlers: rejecting(handlers), files, swept, records }
}

/** The handlers alone (see {@link createS3Operations}, which also sweeps at startup). */
export function createS3Handlers<P>(deps: S3OpsDeps<P>): S3Handlers<P> {
  return createS3Operations(deps).handlers
}
