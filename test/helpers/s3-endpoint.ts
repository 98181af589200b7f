/**
 * TEST-ONLY: the AWS endpoint with the S3 wire hooked in, over the in-memory fake
 * operations and an allow-all authoriser, on loopback, with an offsettable clock and a
 * captured log.
 */
import { Writable } from 'node:stream'
import { createAwsApp, startAwsServer, type AwsServer } from '../../src/aws/index.js'
import { createLogger } from '../../src/core/index.js'
import {
  createS3App,
  type S3AuthQuestion,
  type S3Authorize,
  type S3Handlers,
  type S3Refusal,
} from '../../src/s3/index.js'
import { fakeS3, type FakeS3State } from './s3-fake.js'

export const S3_KEY = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
}
export const S3_REGION = 'us-east-1'

export interface S3Endpoint {
  readonly server: AwsServer
  readonly state: FakeS3State
  /** Moves the endpoint's clock (ms) relative to the wall clock. */
  offset(ms: number): void
  readonly questions: S3AuthQuestion<string>[]
  readonly refusals: S3Refusal<string>[]
  /** Raw log lines. */
  readonly log: string[]
  close(): Promise<void>
}

/** Overrides for one test: an authoriser, some handlers. */
export interface S3EndpointOptions {
  readonly authorize?: S3Authorize<string>
  readonly handlers?: Partial<S3Handlers<string>>
}

export async function startS3Endpoint(o: S3EndpointOptions = {}): Promise<S3Endpoint> {
  const log: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      log.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      cb()
    },
  })
  const logger = createLogger({ level: 'debug', destination: sink })
  let offsetMs = 0
  const clock = { now: () => Date.now() + offsetMs }
  const credentials = (k: { accessKeyId: string }) =>
    k.accessKeyId === S3_KEY.accessKeyId
      ? {
          status: 'found' as const,
          secretAccessKey: S3_KEY.secretAccessKey,
          principal: 'test-user',
        }
      : { status: 'unknown' as const }
  const { handlers, state } = fakeS3<string>()
  const questions: S3AuthQuestion<string>[] = []
  const refusals: S3Refusal<string>[] = []
  const s3 = createS3App<string>({
    handlers: { ...handlers, ...o.handlers },
    authorize: (q) => {
      questions.push(q)
      o.authorize?.(q)
    },
    credentials,
    clock,
    logger,
    defaultRegion: S3_REGION,
    onRefused: (r) => refusals.push(r),
  })
  const app = createAwsApp<string>({ credentials, clock, logger, s3 })
  const server = await startAwsServer({ app, port: 0 })
  return {
    server,
    state,
    offset: (ms) => {
      offsetMs = ms
    },
    questions,
    refusals,
    log,
    close: () => server.close(),
  }
}
