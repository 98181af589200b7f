import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { awsError, S3_ERRORS, type AwsError, type Caller } from '../../../src/aws/index.js'
import { manualClock } from '../../../src/core/index.js'
import {
  createS3Operations,
  type S3Acl,
  type S3AuthQuestion,
  type S3Body,
  type S3ChecksumAlgorithm,
  type S3Handlers,
  type S3Identity,
  type S3Operation,
  type S3Operations,
  type S3OpContext,
  type S3PolicyRules,
  type S3Result,
} from '../../../src/s3/index.js'
import { openStore, type Store } from '../../../src/store/index.js'

export const T0 = Date.UTC(2026, 0, 1)
export const ACCOUNT = '111122223333'
export const OTHER = '444455556666'
export const REGION = 'eu-west-1'

/** A fake S3Body over chunks, as the wire would hand it (hashes computed on read). */
export function body(
  data: string | Uint8Array | readonly Uint8Array[],
  o: {
    /** Throw (as the wire does on a bad checksum) after this many chunks, before the end. */
    readonly failAfterChunks?: number
    readonly checksum?: { readonly algorithm: S3ChecksumAlgorithm; readonly value: string }
    readonly length?: number
  } = {},
): S3Body {
  const chunks =
    typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : [...data]
  const md5 = createHash('md5')
  let done = false
  const total = chunks.reduce((n, c) => n + c.byteLength, 0)
  return {
    length: o.length ?? total,
    checksum: () => (done ? o.checksum : undefined),
    md5Hex: () => {
      if (!done) throw new Error('md5Hex before the end')
      return md5.copy().digest('hex')
    },
    async *[Symbol.asyncIterator]() {
      let n = 0
      for (const c of chunks) {
        if (o.failAfterChunks !== undefined && n === o.failAfterChunks)
          throw awsError(S3_ERRORS.BadDigest)
        md5.update(c)
        n++
        await Promise.resolve()
        yield c
      }
      if (o.failAfterChunks !== undefined && n === o.failAfterChunks)
        throw awsError(S3_ERRORS.BadDigest)
      done = true
    },
  }
}

export type Principal = S3Identity

export function caller(accountId = ACCOUNT, region = REGION): Caller<Principal> {
  return {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    region,
    principal: { accountId, arn: `arn:aws:iam::${accountId}:user/alice` },
    withSessionToken: false,
    presigned: false,
  }
}

/** Policy rules double: a policy is public when it names Principal "*" without a Condition. */
export const rules: S3PolicyRules = {
  validate(document) {
    let v: unknown
    try {
      v = JSON.parse(document)
    } catch {
      throw awsError(S3_ERRORS.MalformedPolicy, {
        params: { detail: 'Policies must be valid JSON' },
      })
    }
    if (typeof v !== 'object' || v === null || !('Statement' in v))
      throw awsError(S3_ERRORS.MalformedPolicy, {
        params: { detail: 'Missing required field Statement' },
      })
  },
  isPublic: (document) => document.includes('"Principal":"*"') && !document.includes('Condition'),
  isPublicAcl: (acl: S3Acl) =>
    acl.grants.some(
      (g) => g.grantee.kind === 'AllUsers' || g.grantee.kind === 'AuthenticatedUsers',
    ),
}

export interface Harness {
  readonly store: Store
  readonly dir: string
  readonly ops: S3Operations<Principal>
  readonly h: S3Handlers<Principal>
  /** The questions handlers asked through ctx.authorize. */
  readonly asked: Omit<
    S3AuthQuestion<Principal>,
    'requestId' | 'caller' | 'headers' | 'query' | 'sourceIp' | 'secure' | 'nowMs'
  >[]
  /** Keys whose DeleteObject authorisation is refused. */
  readonly denyKeys: Set<string>
  call(op: S3Operation, o?: Req): Promise<Reply>
  /** Calls and reads a string or byte body whole. */
  text(op: S3Operation, o?: Req): Promise<{ result: Reply; text: string }>
  /** Rebuilds the handlers on the same store and directory (a restart). */
  restart(): S3Operations<Principal>
  now: number
}

/** A handler's answer, with its headers always present (so tests index them plainly). */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body?: S3Result['body']
}

export interface Req {
  readonly bucket?: string
  readonly key?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly query?: Readonly<Record<string, string>>
  readonly body?: S3Body | string
  readonly region?: string
  readonly caller?: Caller<Principal> | null
  readonly secure?: boolean
}

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-s3-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

export async function readAll(b: S3Result['body']): Promise<Buffer> {
  if (b === undefined) return Buffer.alloc(0)
  if (typeof b === 'string') return Buffer.from(b)
  if (b instanceof Uint8Array) return Buffer.from(b)
  const parts: Buffer[] = []
  for await (const c of b) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

export function harness(t: TestContext): Harness {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const store = openStore({ dir, clock })
  t.after(() => {
    store.close()
  })
  store.accounts.create({ id: ACCOUNT })
  store.accounts.create({ id: OTHER })
  const asked: Harness['asked'] = []
  const denyKeys = new Set<string>()
  const build = () =>
    createS3Operations<Principal>({
      store,
      dataDir: dir,
      policyRules: rules,
      identify: (c) => c.principal,
    })
  let ops = build()
  const self: Harness = {
    store,
    dir,
    get ops() {
      return ops
    },
    get h() {
      return ops.handlers
    },
    asked,
    denyKeys,
    now: T0,
    call: (op, o = {}) => {
      const headers: Record<string, string[]> = {}
      for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = [v]
      const ctx: S3OpContext<Principal> = {
        requestId: 'req',
        operation: op,
        target: { bucket: o.bucket, key: o.key, addressing: 'path' },
        caller: o.caller === null ? undefined : (o.caller ?? caller()),
        headers,
        query: new Map(Object.entries(o.query ?? {})),
        body: typeof o.body === 'string' ? body(o.body) : (o.body ?? body('')),
        sourceIp: '127.0.0.1',
        secure: o.secure ?? false,
        nowMs: self.now,
        region: o.region ?? REGION,
        authorize: (q) => {
          asked.push(q)
          if (q.target.key !== undefined && denyKeys.has(q.target.key))
            throw awsError(S3_ERRORS.AccessDenied)
        },
        annotate: () => undefined,
      }
      return ops.handlers[op](ctx).then((r) => ({ ...r, headers: r.headers ?? {} }))
    },
    text: async (op, o) => {
      const result = await self.call(op, o)
      return { result, text: (await readAll(result.body)).toString('utf8') }
    },
    restart: () => {
      ops = build()
      return ops
    },
  }
  return self
}

/** Asserts a promise rejects with an S3 error of `code` (and returns it). */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<AwsError> {
  try {
    await p
  } catch (e) {
    const err = e as AwsError
    if (err.code !== code)
      throw new Error(`expected ${code}, got ${err.code}: ${err.message}`, { cause: e })
    return err
  }
  throw new Error(`expected ${code}, got success`)
}

/** Creates a bucket in {@link REGION} for {@link ACCOUNT}. */
export async function makeBucket(
  h: Harness,
  name = 'bucket-one',
  headers: Record<string, string> = {},
) {
  await h.call('CreateBucket', {
    bucket: name,
    headers,
    body: `<CreateBucketConfiguration><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`,
  })
}

/** The text of every `<name>` element of an XML string, in order. */
export function texts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1] ?? '')
}
