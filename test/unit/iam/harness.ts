/**
 * Test harness for the IAM actions: a temporary store with one account and its root key,
 * fabricated role-session credentials, the real authoriser and `createAwsApp`, driven
 * without sockets through requests signed by the SDK's own SigV4 signer.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLogger, manualClock, type ManualClock } from '../../../src/core/index.js'
import { createAwsApp, type AwsApp, type CredentialLookup } from '../../../src/aws/index.js'
import { openStore, type Store } from '../../../src/store/index.js'
import {
  createAuthorizer,
  createIamActions,
  PolicyCache,
  rootPrincipal,
  type Principal,
  type RoleSessionPrincipal,
} from '../../../src/iam/index.js'
import { sign, type Keys } from '../aws/signing.js'

export const ACCOUNT = '111122223333'
export const T0 = Date.UTC(2026, 2, 1, 10, 0, 0)
/** A sentinel secret: must never appear in a response body or a log line. */
export const ROOT: Keys = {
  accessKeyId: 'AKIAIRSAIAMTESTROOT1',
  secretAccessKey: 'SENTINEL/rootSecretKey+mustNeverAppear01',
}
export const SESSION_TOKEN = 'SENTINEL-IAM-SESSION-TOKEN-must-never-be-logged'

export interface IamResponse {
  readonly status: number
  readonly requestId: string
  readonly body: string
  /** The parsed legacy JSON body (`Accept: application/json`), or undefined for XML. */
  readonly json: Record<string, unknown> | undefined
  readonly code: string | undefined
  readonly message: string | undefined
}

export interface Harness {
  readonly store: Store
  readonly clock: ManualClock
  readonly app: AwsApp
  readonly cache: PolicyCache
  readonly logs: string[]
  /** Registers a role session (by role name) and returns its signing keys. */
  session(roleName: string, extra?: Partial<RoleSessionPrincipal>): Keys
  /** Calls an IAM action; JSON rendering unless `xml`. */
  call(
    action: string,
    params?: Readonly<Record<string, string>>,
    options?: { keys?: Keys; xml?: boolean },
  ): Promise<IamResponse>
  /** The `…Result` object of a successful JSON call; throws with the error otherwise. */
  ok(
    action: string,
    params?: Readonly<Record<string, string>>,
    keys?: Keys,
  ): Promise<Record<string, unknown>>
  close(): void
}

export function harness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-iam-'))
  const clock = manualClock(T0)
  const store = openStore({ dir, clock })
  store.accounts.ensure({ id: ACCOUNT })
  store.accessKeys.create({
    accessKeyId: ROOT.accessKeyId,
    secretAccessKey: ROOT.secretAccessKey,
    accountId: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
  })
  const sessions = new Map<string, { secret: string; token: string; principal: Principal }>()
  const credentials: CredentialLookup<Principal> = ({ accessKeyId, sessionToken }) => {
    const s = sessions.get(accessKeyId)
    if (s !== undefined)
      return sessionToken === s.token
        ? { status: 'found', secretAccessKey: s.secret, principal: s.principal }
        : { status: 'unknown' }
    const key = store.accessKeys.get(accessKeyId)
    if (key === undefined || key.status !== 'Active' || sessionToken !== undefined)
      return { status: 'unknown' }
    return {
      status: 'found',
      secretAccessKey: key.secretAccessKey,
      principal: rootPrincipal(key.accountId),
    }
  }
  const logs: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      cb()
    },
  })
  const logger = createLogger({ level: 'debug', destination: sink })
  const cache = new PolicyCache()
  const authorizer = createAuthorizer({ store, clock, cache })
  const app = createAwsApp({
    actions: createIamActions({ store, clock, authorizer, logger, cache }),
    credentials,
    clock,
    logger,
  })
  let n = 0
  const h: Harness = {
    store,
    clock,
    app,
    cache,
    logs,
    session(roleName, extra = {}) {
      const role = store.roles.get(ACCOUNT, roleName)
      if (role === undefined) throw new Error(`no role ${roleName}`)
      n++
      const id = `ASIAIRSAIAMSESSION${String(n).padStart(2, '0')}`
      const principal: RoleSessionPrincipal = {
        kind: 'role-session',
        accountId: ACCOUNT,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/s${n}`,
        userId: `${role.roleId}:s${n}`,
        roleArn: role.arn,
        roleId: role.roleId,
        roleName: role.name,
        sessionName: `s${n}`,
        expiresAtMs: T0 + 3600_000,
        ...extra,
      }
      const secret = `SENTINEL/sessionSecret${String(n).padStart(2, '0')}+mustNeverAppear0`
      const token = `${SESSION_TOKEN}-${n}`
      sessions.set(id, { secret, token, principal })
      return { accessKeyId: id, secretAccessKey: secret, sessionToken: token }
    },
    async call(action, params = {}, options = {}) {
      const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params })
        .toString()
        .replace(/\+/g, '%20')
      const req = await sign({
        keys: options.keys ?? ROOT,
        service: 'iam',
        region: 'us-east-1',
        date: new Date(clock.now()),
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          ...(options.xml === true ? {} : { accept: 'application/json' }),
        },
        body,
      })
      const resp = await app.handle(req)
      const requestId = resp.headers['x-amzn-RequestId'] ?? resp.headers['x-amzn-requestid'] ?? ''
      if (options.xml === true) {
        const code = /<Code>([^<]*)<\/Code>/.exec(resp.body)?.[1]
        const message = /<Message>([^<]*)<\/Message>/.exec(resp.body)?.[1]
        return { status: resp.status, requestId, body: resp.body, json: undefined, code, message }
      }
      const json = JSON.parse(resp.body) as Record<string, unknown>
      const err = json['Error'] as { Code?: string; Message?: string } | undefined
      return {
        status: resp.status,
        requestId,
        body: resp.body,
        json,
        code: err?.Code,
        message: err?.Message,
      }
    },
    async ok(action, params = {}, keys) {
      const r = await h.call(action, params, keys === undefined ? {} : { keys })
      if (r.status !== 200)
        throw new Error(`${action} failed: ${r.status} ${r.code ?? ''} ${r.message ?? ''}`)
      const outer = r.json?.[`${action}Response`] as Record<string, unknown> | undefined
      return (outer?.[`${action}Result`] as Record<string, unknown> | undefined) ?? {}
    },
    close() {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return h
}

/** `Name.member.N` parameters for a list. */
export function members(name: string, values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  values.forEach((v, i) => (out[`${name}.member.${i + 1}`] = v))
  return out
}

/** An identity policy document. */
export function policy(...statements: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements })
}

/** The IRSA trust policy of a role for a provider and service account. */
export function trustPolicy(
  providerHostPath: string,
  sub = 'system:serviceaccount:default:app',
): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${providerHostPath}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${providerHostPath}:sub`]: sub,
            [`${providerHostPath}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  })
}
