/**
 * Test harness for STS: a temporary store with one account, its root key, an OIDC
 * provider and a role trusting it; an HTTPS issuer on loopback (certificate from a local
 * CA trusted through `trustedCaPems`) serving a cluster's JWKS; the real STS actions and
 * credential lookup in `createAwsApp`, driven without sockets. Logs are captured.
 */
import { createHmac, createSign, sign as cryptoSign, constants, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  createCertificateAuthority,
  createLogger,
  createSelfSignedCertificate,
  issueServerCertificate,
  manualClock,
  silentLogger,
  systemClock,
  type CertificateAuthority,
  type Clock,
  type ManualClock,
} from '../../../src/core/index.js'
import { createAwsApp, type AwsApp } from '../../../src/aws/index.js'
import { createAuthorizer, type Principal } from '../../../src/iam/index.js'
import { createIssuerApp, startIssuerServer, type IssuerServer } from '../../../src/oidc/index.js'
import { openStore, type Store } from '../../../src/store/index.js'
import {
  createCredentialLookup,
  createJwksFetcher,
  createSessionCodec,
  createStsActions,
  loadSessionSecret,
  type JwksFetcher,
  type JwksFetcherOptions,
  type SessionCodec,
} from '../../../src/sts/index.js'
import {
  createTokenSigner,
  generateKeyPair,
  loadSigningKey,
  type SigningKey,
  type TokenSigner,
} from '../../../src/token/index.js'
import { sign, type Keys } from '../aws/signing.js'

export const ACCOUNT = '111122223333'
export const ROOT: Keys = {
  accessKeyId: 'AKIAIRSASTSTESTROOT1',
  secretAccessKey: 'SENTINEL/rootSecretKey+mustNeverAppear02',
}
export const CLUSTER_ID = '0123456789ABCDEF0123456789ABCDEF'
export const SA = 'system:serviceaccount:default:app'

/** One issuer over HTTPS on loopback, with its CA and signing key. */
export interface Issuer {
  readonly server: IssuerServer
  readonly ca: CertificateAuthority
  /** `https://127.0.0.1:PORT/id/CLUSTER_ID`. */
  readonly url: string
  /** The provider URL (the issuer without `https://`). */
  readonly hostPath: string
  readonly key: SigningKey
  readonly signer: TokenSigner
  close(): Promise<void>
}

let sharedKey: SigningKey | undefined
/** An RSA signing key, generated once per process (key generation is slow). */
export function rsaKey(): SigningKey {
  sharedKey ??= loadSigningKey(generateKeyPair('rsa').privatePem)
  return sharedKey
}

/** Starts an HTTPS issuer; `selfSigned` serves a self-signed certificate no CA vouches for. */
export async function startIssuer(
  clock: Clock,
  o: {
    readonly ca?: CertificateAuthority
    readonly key?: SigningKey
    readonly selfSigned?: boolean
  } = {},
): Promise<Issuer> {
  const ca =
    o.ca ?? createCertificateAuthority({ clock: systemClock, commonName: 'irsa sts test CA' })
  const tls =
    o.selfSigned === true
      ? createSelfSignedCertificate({ clock: systemClock, ipAddresses: ['127.0.0.1'] })
      : issueServerCertificate(ca, { clock: systemClock, ipAddresses: ['127.0.0.1'] })
  const app = createIssuerApp({ logger: silentLogger() })
  const server = await startIssuerServer({ app, tls })
  const url = `${server.origin}/id/${CLUSTER_ID}`
  const key = o.key ?? rsaKey()
  app.setIssuer({ issuer: url, keys: [key] })
  const signer = createTokenSigner({ key, issuer: url, clock })
  return {
    server,
    ca,
    url,
    hostPath: url.slice('https://'.length),
    key,
    signer,
    close: () => server.close(),
  }
}

/** A response, parsed from the JSON rendering. */
export interface StsResponse {
  readonly status: number
  readonly body: string
  readonly json: Record<string, unknown>
  readonly code: string | undefined
  readonly message: string | undefined
  /** The `…Result` object of a success. */
  readonly result: Record<string, unknown>
}

export interface Harness {
  readonly store: Store
  readonly clock: ManualClock
  readonly app: AwsApp
  readonly issuer: Issuer
  readonly jwks: JwksFetcher
  readonly sessions: SessionCodec
  readonly logs: string[]
  /** The provider's ARN. */
  readonly providerArn: string
  /** A token for `system:serviceaccount:NS:NAME` from the cluster's signer. */
  token(o?: { namespace?: string; name?: string; audiences?: string[]; seconds?: number }): string
  /** Calls AssumeRoleWithWebIdentity (unsigned, JSON rendering unless `xml`). */
  assume(params: Readonly<Record<string, string>>, o?: { xml?: boolean }): Promise<StsResponse>
  /** A signed STS call. */
  signed(
    action: string,
    keys: Keys,
    params?: Readonly<Record<string, string>>,
  ): Promise<StsResponse>
  /** Creates a role with an IRSA trust policy for the provider (condition on sub). */
  role(name: string, trust?: string, maxSessionDuration?: number): string
  close(): Promise<void>
}

/** The IRSA trust policy of a role. */
export function irsaTrust(
  providerArn: string,
  hostPath: string,
  sub = SA,
  extra: readonly string[] = [],
): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: ['sts:AssumeRoleWithWebIdentity', ...extra],
        Condition: {
          StringEquals: { [`${hostPath}:sub`]: sub, [`${hostPath}:aud`]: 'sts.amazonaws.com' },
        },
      },
    ],
  })
}

function parse(status: number, body: string, action: string): StsResponse {
  let json: Record<string, unknown> = {}
  let code: string | undefined
  let message: string | undefined
  if (body.startsWith('{')) {
    json = JSON.parse(body) as Record<string, unknown>
    const err = json['Error'] as { Code?: string; Message?: string } | undefined
    code = err?.Code
    message = err?.Message
  } else {
    code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1]
    message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1]
  }
  const outer = json[`${action}Response`] as Record<string, unknown> | undefined
  const result = (outer?.[`${action}Result`] as Record<string, unknown> | undefined) ?? {}
  return { status, body, json, code, message, result }
}

export async function harness(
  o: {
    readonly fetcher?: Partial<JwksFetcherOptions>
    readonly trustCa?: boolean
    readonly thumbprints?: string[]
    /** The issuer serves a self-signed certificate (implies its CA is not trusted). */
    readonly selfSigned?: boolean
  } = {},
): Promise<Harness> {
  const clock = manualClock(Math.floor(Date.now() / 1000) * 1000)
  const dir = mkdtempSync(join(tmpdir(), 'irsa-sts-'))
  const store = openStore({ dir, clock })
  store.accounts.ensure({ id: ACCOUNT })
  store.accessKeys.create({
    ...ROOT,
    accountId: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
  })
  const issuer = await startIssuer(clock, { selfSigned: o.selfSigned === true })
  const provider = store.oidcProviders.create({
    accountId: ACCOUNT,
    url: issuer.hostPath,
    clientIds: ['sts.amazonaws.com'],
    thumbprints: o.thumbprints ?? [],
  })
  const logs: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      cb()
    },
  })
  const logger = createLogger({ level: 'debug', destination: sink })
  const jwks = createJwksFetcher({
    clock,
    trustedCaPems: o.trustCa === false || o.selfSigned === true ? [] : [issuer.ca.certPem],
    logger,
    ...o.fetcher,
  })
  const sessions = createSessionCodec(loadSessionSecret(store))
  const authorizer = createAuthorizer({ store, clock })
  const app = createAwsApp<Principal>({
    actions: createStsActions({
      store,
      clock,
      sessions,
      jwks,
      authorizer,
      logger,
    }),
    credentials: createCredentialLookup({ store, sessions, clock }),
    clock,
    logger,
  })
  const h: Harness = {
    store,
    clock,
    app,
    issuer,
    jwks,
    sessions,
    logs,
    providerArn: provider.arn,
    token(t = {}) {
      return issuer.signer.issue({
        namespace: t.namespace ?? 'default',
        serviceAccount: { name: t.name ?? 'app' },
        audiences: t.audiences ?? ['sts.amazonaws.com'],
        expirationSeconds: t.seconds ?? 3600,
      }).token
    },
    async assume(params, ao = {}) {
      const body = new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        ...params,
      }).toString()
      const resp = await app.handle({
        method: 'POST',
        url: '/',
        headers: {
          host: ['127.0.0.1'],
          'content-type': ['application/x-www-form-urlencoded; charset=utf-8'],
          ...(ao.xml === true ? {} : { accept: ['application/json'] }),
        },
        body: Buffer.from(body),
        remoteAddress: '127.0.0.1',
      })
      return parse(resp.status, resp.body, 'AssumeRoleWithWebIdentity')
    },
    async signed(action, keys, params = {}) {
      const body = new URLSearchParams({
        Action: action,
        Version: '2011-06-15',
        ...params,
      }).toString()
      const req = await sign({
        keys,
        service: 'sts',
        region: 'us-east-1',
        date: new Date(clock.now()),
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          accept: 'application/json',
        },
        body,
      })
      const resp = await app.handle(req)
      return parse(resp.status, resp.body, action)
    },
    role(name, trust, maxSessionDuration) {
      const r = store.roles.create({
        accountId: ACCOUNT,
        name,
        assumeRolePolicyDocument: trust ?? irsaTrust(provider.arn, issuer.hostPath),
        ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
      })
      return r.arn
    },
    async close() {
      await issuer.close()
      store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return h
}

/** Signs any JWT by hand (for algorithms and claims the cluster signer never makes). */
export function rawJwt(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  key: KeyObject | string | undefined,
): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const input = `${enc(header)}.${enc(payload)}`
  const alg = header['alg']
  let sig = Buffer.alloc(0)
  if (alg === 'HS256' && typeof key === 'string')
    sig = createHmac('sha256', key).update(input).digest()
  else if (alg === 'PS256' && key !== undefined && typeof key !== 'string')
    sig = cryptoSign('sha256', Buffer.from(input), {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    })
  else if (alg === 'RS256' && key !== undefined && typeof key !== 'string')
    sig = createSign('sha256').update(input).sign(key)
  return `${input}.${sig.toString('base64url')}`
}

/** Standard claims for a hand-made token from `h`'s issuer. */
export function claims(
  h: Harness,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const now = Math.floor(h.clock.now() / 1000)
  return {
    iss: h.issuer.url,
    sub: SA,
    aud: ['sts.amazonaws.com'],
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...extra,
  }
}
