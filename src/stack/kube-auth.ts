/**
 * Authentication of the local clusters' Kubernetes API as EKS does it: the admin client
 * certificate, `aws eks get-token` tokens (`k8s-aws-v1.` + a presigned STS
 * `GetCallerIdentity` URL, checked by aws-iam-authenticator's rules, then verified locally
 * with the AWS endpoint's SigV4 verifier and credentials) and the cluster's own
 * service-account tokens; and the authorization that goes with them.
 */
import type { IncomingMessage } from 'node:http'
import { verifySigV4, type CredentialLookup } from '../aws/index.js'
import { describeError, type Clock, type Logger } from '../core/index.js'
import type { Principal } from '../iam/index.js'
import {
  certificateUser,
  DEFAULT_TOKEN_AUDIENCE,
  READ_VERBS,
  type KubeAuthorizer,
  type KubeUser,
} from '../kubeapi/index.js'
import type { Cluster, Store } from '../store/index.js'
import { loadPublicKeys, verifyToken, type PublicKeyInfo } from '../token/index.js'

/** The group whose members are cluster admins (kube-apiserver's `system:masters`). */
export const ADMIN_GROUP = 'system:masters'
/** The kubeconfig user: kubeadm's admin identity. */
export const ADMIN_USER = 'kubernetes-admin'

/** aws-iam-authenticator's token prefix (`v1Prefix`). */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.'
/** aws-iam-authenticator's `maxTokenLenBytes`. */
const MAX_EKS_TOKEN_BYTES = 4096
/** Presigned STS URLs are good 15 minutes after X-Amz-Date, whatever X-Amz-Expires says. */
export const PRESIGNED_URL_LIFETIME_MS = 15 * 60 * 1000
/** The header carrying the cluster's name, signed into the URL. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id'
/** aws-iam-authenticator's `parameterWhitelist` (lower case). */
const ALLOWED_PARAMETERS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
])
/** `sts.amazonaws.com`, `sts.REGION.amazonaws.com`, and the FIPS and dual-stack forms. */
const STS_HOST = /^sts(-fips)?(\.[a-z0-9]+(-[a-z0-9]+)*)?\.(amazonaws\.com|api\.aws)$/
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/** Why an EKS token was refused. */
export class EksTokenError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EksTokenError'
  }
}

/** The presigned `GetCallerIdentity` request an EKS token carries. */
export interface PresignedCallerIdentity {
  /** `https://sts.us-east-1.amazonaws.com` (or the local AWS endpoint's origin). */
  readonly origin: string
  /** The Host the signer signed (the URL's host, default port omitted). */
  readonly host: string
  /** The raw query, as signed. */
  readonly rawQuery: string
  readonly signedAtMs: number
}

/** What {@link parseEksToken} checks against. */
export interface EksTokenChecks {
  readonly nowMs: number
  /** Origins besides STS's own hosts a token's URL may name (the local AWS endpoint). */
  readonly localOrigins: readonly string[]
}

function parseAmzDateStrict(s: string): number | undefined {
  const m = AMZ_DATE.exec(s)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, se] = m.map(Number)
  if (y === undefined || mo === undefined || d === undefined) return undefined
  const ms = Date.UTC(y, mo - 1, d, h ?? 0, mi ?? 0, se ?? 0)
  return Number.isNaN(ms) ? undefined : ms
}

/**
 * Decodes an EKS token and checks it as aws-iam-authenticator's `Verify` does, before any
 * signature: prefix, size, base64url, an `https` URL of an STS host (or an allowed local
 * origin), path `/`, only the allowed query parameters each once, `Action=GetCallerIdentity`,
 * `x-k8s-aws-id` among the signed headers, `X-Amz-Expires` 0..900 and `X-Amz-Date` less
 * than 15 minutes ago. Throws {@link EksTokenError}.
 */
export function parseEksToken(token: string, o: EksTokenChecks): PresignedCallerIdentity {
  if (token.length > MAX_EKS_TOKEN_BYTES) throw new EksTokenError('token is too large')
  if (!token.startsWith(EKS_TOKEN_PREFIX))
    throw new EksTokenError(`token is missing expected "${EKS_TOKEN_PREFIX}" prefix`)
  const b64 = token.slice(EKS_TOKEN_PREFIX.length)
  if (!/^[A-Za-z0-9_-]*$/.test(b64)) throw new EksTokenError('token is not base64url')
  const text = Buffer.from(b64, 'base64url').toString('utf8')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new EksTokenError('token is not a URL')
  }
  const local = o.localOrigins.includes(url.origin)
  if (!local && url.protocol !== 'https:')
    throw new EksTokenError(
      `unexpected scheme "${url.protocol.replace(/:$/, '')}" in pre-signed URL`,
    )
  if (!local && !STS_HOST.test(url.host))
    throw new EksTokenError(`unexpected hostname "${url.host}" in pre-signed URL`)
  if (url.pathname !== '/' || url.username !== '' || url.password !== '' || url.hash !== '')
    throw new EksTokenError('unexpected path in pre-signed URL')
  const q = text.indexOf('?')
  const rawQuery = q === -1 ? '' : text.slice(q + 1)
  const params = new Map<string, string>()
  for (const [key, value] of url.searchParams) {
    const lower = key.toLowerCase()
    if (!ALLOWED_PARAMETERS.has(lower))
      throw new EksTokenError(`non-whitelisted query parameter "${key}"`)
    if (params.has(lower))
      throw new EksTokenError('query parameter with multiple values not supported')
    params.set(lower, value)
  }
  if (params.get('action') !== 'GetCallerIdentity')
    throw new EksTokenError('unexpected action parameter in pre-signed URL')
  const signed = (params.get('x-amz-signedheaders') ?? '').split(';')
  if (!signed.some((h) => h.toLowerCase() === CLUSTER_ID_HEADER))
    throw new EksTokenError(
      `client did not sign the ${CLUSTER_ID_HEADER} header in the pre-signed URL`,
    )
  const expires = params.get('x-amz-expires') ?? ''
  if (!/^[0-9]{1,3}$/.test(expires) || Number(expires) > 900)
    throw new EksTokenError('invalid X-Amz-Expires parameter in pre-signed URL')
  const date = params.get('x-amz-date')
  if (date === undefined || date === '')
    throw new EksTokenError('X-Amz-Date parameter must be present in pre-signed URL')
  const signedAtMs = parseAmzDateStrict(date)
  if (signedAtMs === undefined)
    throw new EksTokenError(`error parsing X-Amz-Date parameter ${date}`)
  if (o.nowMs > signedAtMs + PRESIGNED_URL_LIFETIME_MS)
    throw new EksTokenError('X-Amz-Date parameter is expired (15 minute expiration)')
  if (signedAtMs > o.nowMs + PRESIGNED_URL_LIFETIME_MS)
    throw new EksTokenError('X-Amz-Date parameter is in the future')
  return { origin: url.origin, host: url.host, rawQuery, signedAtMs }
}

/** What {@link createEksTokenAuthenticator} needs. */
export interface EksTokenAuthDeps {
  readonly clusterName: string
  readonly accountId: string
  readonly credentials: CredentialLookup<Principal>
  readonly clock: Clock
  readonly localOrigins: readonly string[]
}

/**
 * Verifies an EKS token for one cluster: {@link parseEksToken}, then the SigV4 presigned
 * signature over `GET /` with the URL's host and `x-k8s-aws-id: CLUSTER` (what STS would
 * see), with the AWS endpoint's credentials. The account's root (its admin access key) is
 * `kubernetes-admin` in `system:masters`; any other principal is refused (no grants).
 */
export function createEksTokenAuthenticator(
  deps: EksTokenAuthDeps,
): (token: string) => Promise<KubeUser> {
  const rootArn = `arn:aws:iam::${deps.accountId}:root`
  return async (token) => {
    const p = parseEksToken(token, { nowMs: deps.clock.now(), localOrigins: deps.localOrigins })
    let principal: Principal
    try {
      // The 15-minute window is checked above; STS ignores X-Amz-Expires for these URLs
      // (aws eks get-token sends 60), so the signature is judged at its own time.
      const identity = await verifySigV4(
        {
          method: 'GET',
          path: '/',
          query: p.rawQuery,
          headers: { host: [p.host], [CLUSTER_ID_HEADER]: [deps.clusterName] },
          body: new Uint8Array(0),
        },
        deps.credentials,
        { now: () => p.signedAtMs },
        { service: 'sts' },
      )
      principal = identity.principal
    } catch (e) {
      throw new EksTokenError(`the pre-signed URL does not verify: ${describeError(e)}`)
    }
    if (principal.arn !== rootArn)
      throw new EksTokenError(`${principal.arn} is not granted access to the cluster`)
    return { username: ADMIN_USER, groups: [ADMIN_GROUP, 'system:authenticated'] }
  }
}

/** What {@link createServiceAccountTokenAuthenticator} needs. */
export interface ServiceAccountAuthDeps {
  readonly store: Store
  readonly cluster: Cluster
  readonly clock: Clock
  /** Whether the ServiceAccount still exists (kube-apiserver checks it does). */
  readonly serviceAccountExists: (namespace: string, name: string) => boolean
}

function clusterKeys(store: Store, cluster: Cluster): PublicKeyInfo[] {
  return store.clusters.listKeys(cluster.arn).flatMap((k) =>
    loadPublicKeys(k.publicPem, `cluster ${cluster.name} key ${k.kid}`)
      .slice(0, 1)
      .map((info) => ({ ...info, kid: k.kid })),
  )
}

function stringAt(v: unknown, key: string): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const x: unknown = (v as Record<string, unknown>)[key]
  return typeof x === 'string' ? x : undefined
}

/**
 * Verifies a service-account token of the cluster: signed by one of its published keys,
 * issued by its issuer, for the API audience (`https://kubernetes.default.svc`) or the
 * issuer, not expired, naming a ServiceAccount that exists. The user is
 * `system:serviceaccount:NS:NAME` in `system:serviceaccounts`, `system:serviceaccounts:NS`
 * and `system:authenticated`.
 */
export function createServiceAccountTokenAuthenticator(
  deps: ServiceAccountAuthDeps,
): (token: string) => KubeUser | undefined {
  return (token) => {
    const cluster = deps.store.clusters.getByArn(deps.cluster.arn) ?? deps.cluster
    const verified = verifyToken(token, clusterKeys(deps.store, cluster), {
      clock: deps.clock,
      clockSkewSeconds: 0,
      expectedIssuer: cluster.issuerUrl,
      audiences: [DEFAULT_TOKEN_AUDIENCE, cluster.issuerUrl],
    })
    const kube = verified.claims['kubernetes.io']
    const namespace = stringAt(kube, 'namespace')
    const name = stringAt(
      typeof kube === 'object' && kube !== null
        ? (kube as Record<string, unknown>)['serviceaccount']
        : undefined,
      'name',
    )
    if (namespace === undefined || name === undefined) return undefined
    const username = `system:serviceaccount:${namespace}:${name}`
    if (verified.claims.sub !== username) return undefined
    if (!deps.serviceAccountExists(namespace, name)) return undefined
    return {
      username,
      groups: [
        'system:serviceaccounts',
        `system:serviceaccounts:${namespace}`,
        'system:authenticated',
      ],
    }
  }
}

/** What {@link createKubeAuthenticator} combines. */
export interface KubeAuthDeps {
  readonly eksToken: (token: string) => Promise<KubeUser>
  readonly serviceAccountToken: (token: string) => KubeUser | undefined
  readonly logger: Logger
}

/** The bearer token of a request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return m?.[1]
}

/**
 * kube-apiserver's union of authenticators, in its order: the client certificate (only
 * the admin group's), then a bearer token: `k8s-aws-v1.` ones as EKS's webhook
 * authenticator, others as service-account tokens. Anything else is undefined (401).
 */
export function createKubeAuthenticator(
  deps: KubeAuthDeps,
): (req: IncomingMessage) => Promise<KubeUser | undefined> {
  return async (req) => {
    const cert = certificateUser(req)
    if (cert !== undefined && cert.groups.includes(ADMIN_GROUP)) return cert
    const token = bearerToken(req)
    if (token === undefined) return undefined
    try {
      if (token.startsWith(EKS_TOKEN_PREFIX)) return await deps.eksToken(token)
      return deps.serviceAccountToken(token)
    } catch (e) {
      deps.logger.debug({ err: describeError(e) }, 'kube bearer token refused')
      return undefined
    }
  }
}

/**
 * The authorization of the local clusters: `system:masters` may do anything; a
 * ServiceAccount may read (get, list, watch) objects, but Secrets only in its own
 * namespace, and may write nothing; anyone else nothing.
 */
export const authorizeKubeRequest: KubeAuthorizer = (user, a) => {
  if (user.groups.includes(ADMIN_GROUP)) return true
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user.username)
  if (sa === null) return false
  if (!READ_VERBS.includes(a.verb) || a.subresource !== undefined) return false
  if (a.group === '' && a.resource === 'secrets') return a.namespace === sa[1]
  return true
}
