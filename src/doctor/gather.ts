/**
 * The thin gatherer: every read doctor makes, and nothing else. Kubernetes through one
 * kubeconfig (GET ServiceAccount, Pod, Namespace, MutatingWebhookConfigurations; POST
 * TokenRequest), AWS through the SDK's default chain with read-only calls (STS
 * GetCallerIdentity, IAM GetRole, ListOpenIDConnectProviders, GetOpenIDConnectProvider,
 * EKS DescribeCluster through resolveIssuer), and the issuer's discovery and JWKS over
 * HTTPS. AssumeRoleWithWebIdentity only with `live`.
 */
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam'
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { InputError, type Clock } from '../core/index.js'
import type { KubeClient } from '../kube/index.js'
import {
  discoveryUrl,
  endpointOf,
  fetchIssuerDocument,
  readSentChain,
  sha1Thumbprint,
} from '../oidc/index.js'
import {
  awsClients,
  kubeTarget,
  resolveIssuer,
  type AwsClients,
  type KubeTargetOptions,
} from '../operator/index.js'
import type { JsonObject } from '../webhook/index.js'
import { nearMiss } from './checks-provider.js'
import { decisionOf } from './decision.js'
import {
  AUDIENCE_ANNOTATION,
  annotation,
  derive,
  isObject,
  objectAt,
  objectsAt,
  parseRoleArn,
  ROLE_ARN_ANNOTATION,
  stringAt,
  DEFAULT_AUDIENCE,
} from './derive.js'
import type {
  DoctorFacts,
  DoctorStart,
  Fetched,
  Lookup,
  ProviderFact,
  RecordedDecision,
  RoleFact,
  TlsFact,
} from './facts.js'

/** What the gatherer is told. */
export interface GatherOptions {
  readonly start: DoctorStart
  readonly clock: Clock
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly kubeconfig?: string
  readonly context?: string
  readonly cluster?: string
  readonly roleArn?: string
  readonly durationSeconds?: number
  readonly region?: string
  readonly live: boolean
  /** `--token FILE`'s text. */
  readonly tokenText?: string
  /** `--request-id`'s recorded decisions. */
  readonly decisions?: readonly RecordedDecision[]
  /** Extra trusted CA certificates (PEM) for the issuer's TLS (the local stack's CA). */
  readonly ca: readonly string[]
  readonly timeoutMs?: number
}

const TIMEOUT_MS = 5000
const errorText = (e: unknown): string =>
  e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : String(e)
const errorName = (e: unknown): string => (e instanceof Error ? e.name : 'Error')

/** Gathers the facts for one starting point. Throws InputError when the cluster cannot be reached at all. */
export async function gatherFacts(o: GatherOptions): Promise<DoctorFacts> {
  const handle =
    o.start.kind === 'serviceAccount' || o.start.kind === 'pod' ? openKube(o) : undefined
  const aws = awsClients(o.region)
  // Nothing to wait for: these run while Kubernetes is asked.
  const reads = accountReads(aws)
  const base = {
    start: o.start,
    nowMs: o.clock.now(),
    ...(o.durationSeconds !== undefined ? { durationSeconds: o.durationSeconds } : {}),
    ...(o.region !== undefined ? { region: o.region } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
  }
  const kube = handle !== undefined ? await gatherKube(o, aws, handle) : {}
  const fromLog = o.start.kind === 'requestId' ? fromDecision(o.decisions ?? []) : {}
  const token: Lookup<{ text: string; source: string }> | undefined =
    o.tokenText !== undefined && o.start.kind === 'token'
      ? { state: 'found', value: { text: o.tokenText, source: o.start.file } }
      : kube.token
  const roleArn =
    o.roleArn ??
    fromLog.roleArn ??
    annotation(
      kube.serviceAccount?.state === 'found' ? kube.serviceAccount.value : undefined,
      ROLE_ARN_ANNOTATION,
    )
  const partial: DoctorFacts = {
    ...base,
    ...kube,
    ...(fromLog.replayClaims !== undefined ? { replayClaims: fromLog.replayClaims } : {}),
    ...(o.decisions !== undefined ? { decisions: o.decisions } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(roleArn !== undefined ? { roleArn } : {}),
  }
  const d = derive(partial)
  const [issuer, awsFacts] = await Promise.all([
    d.iss !== undefined ? gatherIssuer(d.iss, o) : Promise.resolve({}),
    gatherAws(aws, reads, roleArn, d.providerUrl),
  ])
  const facts: DoctorFacts = { ...partial, ...issuer, ...awsFacts }
  if (!o.live || token?.state !== 'found' || roleArn === undefined) return facts
  return { ...facts, live: await assumeLive(aws, roleArn, token.value.text, o.durationSeconds) }
}

/** The role ARN and the claims a recorded AssumeRoleWithWebIdentity decision holds. */
function fromDecision(records: readonly RecordedDecision[]): {
  roleArn?: string
  replayClaims?: { iss: string; sub: string; aud: string }
} {
  const d = decisionOf({
    start: { kind: 'requestId', requestId: '' },
    nowMs: 0,
    decisions: records,
  })
  if (d === undefined || d.resource === undefined || parseRoleArn(d.resource) === undefined)
    return {}
  const roleArn = d.resource
  const p = d.principal ?? ''
  const at = p.indexOf(':system:serviceaccount:')
  const m = /^arn:[\w-]+:iam::\d{12}:oidc-provider\/(.+)$/.exec(at < 0 ? '' : p.slice(0, at))
  if (d.action !== 'sts:AssumeRoleWithWebIdentity' || m === null) return { roleArn }
  // The audience STS matched is one of the provider's client IDs; doctor reads them later.
  return { roleArn, replayClaims: { iss: `https://${m[1] ?? ''}`, sub: p.slice(at + 1), aud: '' } }
}

async function kubeGet(client: KubeClient, path: string): Promise<Lookup<JsonObject>> {
  const r = await client.get(path, { timeoutMs: TIMEOUT_MS })
  if (r.status === 200 && isObject(r.body)) return { state: 'found', value: r.body }
  if (r.status === 404) return { state: 'missing' }
  return {
    state: 'unknown',
    why: `HTTP ${r.status}${isObject(r.body) && typeof r.body['message'] === 'string' ? `: ${r.body['message']}` : ''}`,
  }
}

interface KubeFacts {
  namespace?: string
  serviceAccountName?: string
  serviceAccount?: Lookup<JsonObject>
  pod?: Lookup<JsonObject>
  namespaceObject?: JsonObject
  webhooks?: Lookup<readonly JsonObject[]>
  token?: Lookup<{ text: string; source: string }>
  clusterIssuer?: Lookup<{ url: string; source: string }>
}

/** The kubeconfig's client, opened before anything is asked (a bad kubeconfig is exit 2). */
interface KubeHandle {
  readonly target: ReturnType<typeof kubeTarget>
  readonly client: KubeClient
  readonly options: KubeTargetOptions
}

function openKube(o: GatherOptions): KubeHandle {
  const options: KubeTargetOptions = {
    env: o.env,
    cwd: o.cwd,
    clock: o.clock,
    ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context !== undefined ? { context: o.context } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
  }
  const target = kubeTarget(options)
  try {
    return { target, client: target.client(), options }
  } catch (e) {
    throw new InputError(`cannot use the kubeconfig ${target.file}: ${errorText(e)}`)
  }
}

async function gatherKube(o: GatherOptions, aws: AwsClients, kube: KubeHandle): Promise<KubeFacts> {
  const start = o.start
  if (start.kind !== 'serviceAccount' && start.kind !== 'pod') return {}
  const { target, client, options: kubeOptions } = kube
  try {
    const ns = start.namespace
    let pod: Lookup<JsonObject> | undefined
    try {
      pod =
        start.kind === 'pod'
          ? await kubeGet(
              client,
              `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(start.pod)}`,
            )
          : undefined
    } catch (e) {
      throw new InputError(`cannot reach the cluster at ${client.server}: ${errorText(e)}`)
    }
    const saName =
      start.kind === 'serviceAccount'
        ? start.serviceAccount
        : (stringAt(
            objectAt(pod?.state === 'found' ? pod.value : undefined, 'spec'),
            'serviceAccountName',
          ) ?? 'default')
    const saPath = `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(saName)}`
    const reach = <T>(p: Promise<T>): Promise<T> =>
      p.catch((e: unknown) => {
        throw new InputError(`cannot reach the cluster at ${client.server}: ${errorText(e)}`)
      })
    const [sa, nsObj, hooks, clusterIssuer] = await Promise.all([
      reach(kubeGet(client, saPath)),
      reach(kubeGet(client, `/api/v1/namespaces/${encodeURIComponent(ns)}`)),
      reach(
        client.get('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', {
          timeoutMs: TIMEOUT_MS,
        }),
      ),
      issuerOf(o, aws, client, kubeOptions, target),
    ])
    const webhooks: Lookup<readonly JsonObject[]> =
      hooks.status === 200
        ? { state: 'found', value: objectsAt(hooks.body, 'items') }
        : { state: 'unknown', why: `listing mutatingwebhookconfigurations: HTTP ${hooks.status}` }
    const token =
      sa.state === 'found'
        ? await requestToken(client, saPath, sa.value, pod)
        : { state: 'unknown' as const, why: 'no ServiceAccount to make a token for' }
    return {
      namespace: ns,
      serviceAccountName: saName,
      serviceAccount: sa,
      ...(pod !== undefined ? { pod } : {}),
      ...(nsObj.state === 'found' ? { namespaceObject: nsObj.value } : {}),
      webhooks,
      token,
      clusterIssuer,
    }
  } finally {
    target.close()
  }
}

async function issuerOf(
  o: GatherOptions,
  aws: AwsClients,
  client: KubeClient,
  kubeOptions: KubeTargetOptions,
  target: ReturnType<typeof kubeTarget>,
): Promise<Lookup<{ url: string; source: string }>> {
  try {
    if (o.cluster !== undefined) {
      const r = await resolveIssuer({ cluster: o.cluster, aws, kube: target, kubeOptions })
      return { state: 'found', value: { url: r.issuer, source: r.source } }
    }
    const r = await client.get('/.well-known/openid-configuration', { timeoutMs: TIMEOUT_MS })
    const iss = stringAt(r.body, 'issuer')
    return iss !== undefined && r.status === 200
      ? {
          state: 'found',
          value: { url: iss, source: "the cluster's /.well-known/openid-configuration" },
        }
      : {
          state: 'unknown',
          why: `the API server does not serve its discovery (HTTP ${r.status}); pass --cluster`,
        }
  } catch (e) {
    return { state: 'unknown', why: errorText(e) }
  }
}

/** A TokenRequest for the ServiceAccount with the webhook's audience, bound to the pod when there is one. */
async function requestToken(
  client: KubeClient,
  saPath: string,
  sa: JsonObject,
  pod: Lookup<JsonObject> | undefined,
): Promise<Lookup<{ text: string; source: string }>> {
  const audience = annotation(sa, AUDIENCE_ANNOTATION) ?? DEFAULT_AUDIENCE
  const meta = objectAt(pod?.state === 'found' ? pod.value : undefined, 'metadata')
  const bound =
    meta !== undefined
      ? {
          boundObjectRef: {
            kind: 'Pod',
            apiVersion: 'v1',
            name: stringAt(meta, 'name'),
            uid: stringAt(meta, 'uid'),
          },
        }
      : {}
  const body = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { audiences: [audience], expirationSeconds: 600, ...bound },
  }
  try {
    const r = await client.send('POST', `${saPath}/token`, body, { timeoutMs: TIMEOUT_MS })
    const text = stringAt(objectAt(r.body, 'status'), 'token')
    if ((r.status === 200 || r.status === 201) && text !== undefined)
      return {
        state: 'found',
        value: {
          text,
          source: `TokenRequest (audience ${audience}${meta !== undefined ? ', bound to the pod' : ''})`,
        },
      }
    return { state: 'unknown', why: `TokenRequest not permitted or failed (HTTP ${r.status})` }
  } catch (e) {
    return { state: 'unknown', why: `TokenRequest failed: ${errorText(e)}` }
  }
}

async function timed(url: URL, ca: readonly string[], timeoutMs: number): Promise<Fetched> {
  const started = performance.now()
  const where = `${url.origin}${url.pathname}`
  const failed = (e: unknown): Fetched => {
    const raw = isObject(e) ? (e as { failure?: unknown }).failure : undefined
    const failure = typeof raw === 'string' ? raw : 'unreachable'
    return { ok: false, url: where, error: errorText(e), failure, ms: performance.now() - started }
  }
  try {
    const r = await fetchIssuerDocument(url, { kind: 'ca', ca }, timeoutMs)
    return { ok: true, url: where, value: r.value, ms: performance.now() - started }
  } catch (e) {
    const first = failed(e)
    return first.ok || first.failure !== 'untrusted' ? first : pinnedRead(url, timeoutMs, first)
  }
}

/**
 * An issuer no CA vouches for, read as STS would when its thumbprint is on the list: pinned
 * to the last certificate the server sends (its own chain, measured first). The CA failure
 * stays the answer when even that read fails.
 */
async function pinnedRead(url: URL, timeoutMs: number, untrusted: Fetched): Promise<Fetched> {
  const started = performance.now()
  try {
    const chain = await readSentChain(endpointOf(url), timeoutMs)
    const last = chain[chain.length - 1]
    if (last === undefined) return untrusted
    const thumbprint = sha1Thumbprint(last)
    const r = await fetchIssuerDocument(url, { kind: 'thumbprint', thumbprint }, timeoutMs)
    const ms = untrusted.ms + performance.now() - started
    return { ok: true, url: untrusted.url, value: r.value, ms, pinned: thumbprint }
  } catch {
    return untrusted
  }
}

async function chainOf(url: URL, timeoutMs: number): Promise<Lookup<TlsFact>> {
  try {
    const ep = endpointOf(url)
    const chain = await readSentChain(ep, timeoutMs)
    const facts = chain.map((c) => ({
      subject: c.subject.replace(/\n/g, ', '),
      issuer: c.issuer.replace(/\n/g, ', '),
      sha1: sha1Thumbprint(c),
    }))
    return {
      state: 'found',
      value: { host: url.host, chain: facts, thumbprint: facts[facts.length - 1]?.sha1 ?? '' },
    }
  } catch (e) {
    return { state: 'unknown', why: errorText(e) }
  }
}

/** Discovery, then its jwks_uri and the JWKS host's chain, over HTTPS with the system CAs plus `ca`. */
async function gatherIssuer(
  iss: string,
  o: GatherOptions,
): Promise<Pick<DoctorFacts, 'discovery' | 'jwks' | 'jwksTls'>> {
  const timeoutMs = o.timeoutMs ?? TIMEOUT_MS
  let url: URL
  try {
    url = new URL(discoveryUrl(iss))
  } catch {
    return {
      discovery: {
        ok: false,
        url: iss,
        error: 'the issuer is not a URL',
        failure: 'invalid',
        ms: 0,
      },
    }
  }
  if (url.protocol !== 'https:')
    return {
      discovery: {
        ok: false,
        url: url.href,
        error: 'issuers must be https',
        failure: 'invalid',
        ms: 0,
      },
    }
  const discovery = await timed(url, o.ca, timeoutMs)
  const uri = discovery.ok ? stringAt(discovery.value, 'jwks_uri') : undefined
  let jwksUrl: URL | undefined
  try {
    jwksUrl = uri === undefined ? undefined : new URL(uri)
  } catch {
    jwksUrl = undefined
  }
  if (jwksUrl === undefined) return { discovery }
  const [jwks, jwksTls] = await Promise.all([
    timed(jwksUrl, o.ca, timeoutMs),
    chainOf(jwksUrl, timeoutMs),
  ])
  return { discovery, jwks, jwksTls }
}

/** The account-wide reads, which need nothing else: started before Kubernetes is asked. */
interface AccountReads {
  readonly caller: Promise<Lookup<string>>
  readonly providers: Promise<Lookup<readonly string[]>>
}

function accountReads(aws: AwsClients): AccountReads {
  return {
    caller: lookup(
      async () => (await aws.sts.send(new GetCallerIdentityCommand({}))).Account ?? '',
    ),
    providers: lookup(async () =>
      (
        (await aws.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ??
        []
      ).map((p) => p.Arn ?? ''),
    ),
  }
}

async function gatherAws(
  aws: AwsClients,
  reads: AccountReads,
  roleArn: string | undefined,
  providerUrl: string | undefined,
): Promise<Partial<DoctorFacts>> {
  const role = roleArn !== undefined ? parseRoleArn(roleArn) : undefined
  const [caller, providers, roleFact] = await Promise.all([
    reads.caller,
    reads.providers,
    role === undefined ? Promise.resolve(undefined) : lookup(() => getRole(aws, role.name)),
  ])
  const details =
    providers.state === 'found' && providerUrl !== undefined && role !== undefined
      ? await providerDetails(
          aws,
          providers.value.filter(
            (arn) =>
              arn.endsWith(`/${providerUrl}`) ||
              nearMiss(arn, providerUrl, role.account) !== undefined,
          ),
        )
      : []
  return {
    callerAccount: caller,
    providers,
    providerDetails: details,
    ...(roleFact !== undefined ? { role: roleFact } : {}),
  }
}

async function lookup<T>(call: () => Promise<T>): Promise<Lookup<T>> {
  try {
    return { state: 'found', value: await call() }
  } catch (e) {
    const n = errorName(e)
    if (n === 'NoSuchEntity' || n === 'NoSuchEntityException')
      return { state: 'missing', why: errorText(e) }
    return { state: 'unknown', why: `${n}: ${errorText(e)}` }
  }
}

async function getRole(aws: AwsClients, name: string): Promise<RoleFact> {
  const r = (await aws.iam.send(new GetRoleCommand({ RoleName: name }))).Role
  return {
    arn: r?.Arn ?? '',
    name: r?.RoleName ?? name,
    trustPolicy: decodeURIComponent(r?.AssumeRolePolicyDocument ?? ''),
    maxSessionDuration: r?.MaxSessionDuration ?? 3600,
  }
}

async function providerDetails(aws: AwsClients, arns: readonly string[]): Promise<ProviderFact[]> {
  const out = await Promise.all(
    arns.map(async (arn): Promise<ProviderFact | undefined> => {
      try {
        const r = await aws.iam.send(
          new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
        )
        return {
          arn,
          url: r.Url ?? '',
          clientIds: r.ClientIDList ?? [],
          thumbprints: r.ThumbprintList ?? [],
        }
      } catch {
        return undefined
      }
    }),
  )
  return out.filter((p): p is ProviderFact => p !== undefined)
}

async function assumeLive(
  aws: AwsClients,
  roleArn: string,
  token: string,
  durationSeconds: number | undefined,
): Promise<NonNullable<DoctorFacts['live']>> {
  try {
    const r = await aws.sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'irsa-doctor',
        WebIdentityToken: token.trim(),
        ...(durationSeconds !== undefined ? { DurationSeconds: durationSeconds } : {}),
      }),
    )
    return { ok: true, assumedRoleArn: r.AssumedRoleUser?.Arn ?? '' }
  } catch (e) {
    return { ok: false, code: errorName(e), message: errorText(e) }
  }
}
