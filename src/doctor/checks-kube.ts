import type { JsonObject, JsonValue } from '../webhook/index.js'
import {
  annotation,
  objectAt,
  objectsAt,
  parseRoleArn,
  result,
  ROLE_ARN_ANNOTATION,
  shellQuote,
  stringAt,
  type Derived,
} from './derive.js'
import type { CheckResult, DoctorFacts } from './facts.js'

/** The variables and volume the pod identity webhook adds. */
const ROLE_ENV = 'AWS_ROLE_ARN'
const TOKEN_FILE_ENV = 'AWS_WEB_IDENTITY_TOKEN_FILE'
const TOKEN_VOLUME = 'aws-iam-token'
const TOKEN_DIR = '/var/run/secrets/eks.amazonaws.com/serviceaccount'
/** Variables that take precedence over web identity in the SDKs' default chains. */
const OWN_CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
]

/** The pod, or the answer of a pod check that has none. */
function podOnly(
  name: string,
  facts: DoctorFacts,
): { readonly pod: JsonObject } | { readonly skip: CheckResult } {
  if (facts.start.kind !== 'pod') return { skip: result(name, 'skipped', 'only with --pod') }
  const p = facts.pod
  if (p?.state === 'found') return { pod: p.value }
  const why = p?.state === 'unknown' ? p.why : 'it does not exist'
  return { skip: result(name, 'cannot-tell', `the pod could not be read: ${why}`) }
}

function containers(pod: JsonObject | undefined): JsonObject[] {
  const spec = objectAt(pod, 'spec')
  return [...objectsAt(spec, 'initContainers'), ...objectsAt(spec, 'containers')]
}

function envOf(c: JsonObject): Map<string, string | undefined> {
  return new Map(objectsAt(c, 'env').map((e) => [stringAt(e, 'name') ?? '', stringAt(e, 'value')]))
}

/**
 * The Deployment that owns a pod: its owner itself (the local stack), or through its
 * ReplicaSet when the name says so.
 */
function deploymentOf(pod: JsonObject): string | undefined {
  const owners = objectsAt(objectAt(pod, 'metadata'), 'ownerReferences')
  const own = stringAt(
    owners.find((o) => stringAt(o, 'kind') === 'Deployment'),
    'name',
  )
  if (own !== undefined) return own
  const rs = stringAt(
    owners.find((o) => stringAt(o, 'kind') === 'ReplicaSet'),
    'name',
  )
  return rs !== undefined && RS_SUFFIX.test(rs) ? rs.replace(RS_SUFFIX, '') : undefined
}

const RS_SUFFIX = /-[a-z0-9]{5,10}$/

/** `kubectl rollout restart` for a pod's Deployment, else `kubectl delete pod`. */
export function restartCommand(pod: JsonObject, namespace: string): string {
  const deployment = deploymentOf(pod)
  if (deployment !== undefined)
    return `kubectl rollout restart deployment/${deployment} -n ${shellQuote(namespace)}`
  const podName = stringAt(objectAt(pod, 'metadata'), 'name') ?? ''
  return `kubectl delete pod ${shellQuote(podName)} -n ${shellQuote(namespace)}  # then create it again`
}

/** serviceaccount.exists */
export function serviceAccountExists(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'serviceaccount.exists'
  const sa = facts.serviceAccount
  if (sa === undefined) return result(name, 'skipped', 'no ServiceAccount at this starting point')
  const evidence = { namespace: d.namespace, serviceAccount: d.saName }
  if (sa.state === 'unknown') return result(name, 'cannot-tell', sa.why, evidence)
  if (sa.state === 'missing')
    return result(
      name,
      'fail',
      `ServiceAccount ${d.namespace ?? ''}/${d.saName ?? ''} does not exist`,
      evidence,
      `kubectl create serviceaccount ${shellQuote(d.saName ?? '')} -n ${shellQuote(d.namespace ?? '')}`,
    )
  return result(
    name,
    'pass',
    `ServiceAccount ${d.namespace ?? ''}/${d.saName ?? ''} exists`,
    evidence,
  )
}

/** serviceaccount.role-arn */
export function serviceAccountRoleArn(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'serviceaccount.role-arn'
  if (facts.serviceAccount === undefined)
    return result(name, 'skipped', 'no ServiceAccount at this starting point')
  if (d.sa === undefined) return result(name, 'cannot-tell', 'the ServiceAccount could not be read')
  const annotated = annotation(d.sa, ROLE_ARN_ANNOTATION)
  const want = facts.roleArn ?? 'arn:aws:iam::ACCOUNT_ID:role/ROLE_NAME'
  const fix = `kubectl annotate serviceaccount ${shellQuote(d.saName ?? '')} -n ${shellQuote(d.namespace ?? '')} ${ROLE_ARN_ANNOTATION}=${shellQuote(want)} --overwrite`
  const evidence = { annotation: ROLE_ARN_ANNOTATION, presented: annotated ?? null }
  if (annotated === undefined)
    return result(
      name,
      'fail',
      `the ServiceAccount has no ${ROLE_ARN_ANNOTATION} annotation`,
      evidence,
      fix,
    )
  if (parseRoleArn(annotated) === undefined)
    return result(
      name,
      'fail',
      `${ROLE_ARN_ANNOTATION} is not a role ARN: ${annotated}`,
      evidence,
      fix,
    )
  if (facts.roleArn !== undefined && facts.roleArn !== annotated)
    return result(
      name,
      'fail',
      `the ServiceAccount names ${annotated}, not ${facts.roleArn}`,
      { ...evidence, expected: facts.roleArn },
      fix,
    )
  return result(name, 'pass', `annotated with ${annotated}`, evidence)
}

function labelsOf(o: JsonObject | undefined): Record<string, string> {
  const labels = objectAt(objectAt(o, 'metadata'), 'labels') ?? {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v
  return out
}

function strings(v: JsonValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

/** Whether a LabelSelector selects these labels (an absent selector selects everything). */
export function selects(selector: JsonObject | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return true
  const match = objectAt(selector, 'matchLabels') ?? {}
  for (const [k, v] of Object.entries(match)) if (labels[k] !== v) return false
  return objectsAt(selector, 'matchExpressions').every((e) => matchesExpression(e, labels))
}

const EXPRESSIONS: Readonly<
  Record<string, (value: string | undefined, values: readonly string[]) => boolean>
> = {
  In: (v, values) => v !== undefined && values.includes(v),
  NotIn: (v, values) => v === undefined || !values.includes(v),
  Exists: (v) => v !== undefined,
  DoesNotExist: (v) => v === undefined,
}

/** One matchExpression of a LabelSelector (an unknown operator selects nothing). */
function matchesExpression(e: JsonObject, labels: Record<string, string>): boolean {
  const op = EXPRESSIONS[stringAt(e, 'operator') ?? '']
  const key = stringAt(e, 'key') ?? ''
  return (
    op !== undefined &&
    op(Object.hasOwn(labels, key) ? labels[key] : undefined, strings(e['values']))
  )
}

function coversPodCreate(w: JsonObject): boolean {
  return objectsAt(w, 'rules').some(
    (r) =>
      strings(r['resources']).some((x) => x === 'pods' || x === '*') &&
      strings(r['operations']).some((x) => x === 'CREATE' || x === '*'),
  )
}

/** webhook.installed */
export function webhookInstalled(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'webhook.installed'
  const w = facts.webhooks
  if (w === undefined) return result(name, 'skipped', 'no cluster at this starting point')
  if (w.state !== 'found')
    return result(name, 'cannot-tell', w.state === 'unknown' ? w.why : 'cannot list webhooks')
  const hooks = w.value.flatMap((cfg) =>
    objectsAt(cfg, 'webhooks')
      .filter(coversPodCreate)
      .map((h) => ({ config: stringAt(objectAt(cfg, 'metadata'), 'name') ?? '', hook: h })),
  )
  const identity = hooks.filter(
    (h) =>
      /pod-identity|irsa/i.test(h.config) ||
      /pod-identity|irsa/i.test(stringAt(h.hook, 'name') ?? ''),
  )
  const found = identity.length > 0 ? identity : hooks
  if (found.length === 0)
    return result(
      name,
      'fail',
      'no MutatingWebhookConfiguration mutates pods on CREATE: the pod identity webhook is not installed',
      {
        mutatingWebhookConfigurations: w.value.map((c) =>
          stringAt(objectAt(c, 'metadata'), 'name'),
        ),
      },
      null,
    )
  const first = found[0]
  if (first === undefined) return result(name, 'cannot-tell', 'no webhook')
  const evidence = {
    configuration: first.config,
    webhook: stringAt(first.hook, 'name'),
    failurePolicy: stringAt(first.hook, 'failurePolicy') ?? 'Fail',
    namespaceSelector: first.hook['namespaceSelector'] ?? null,
    objectSelector: first.hook['objectSelector'] ?? null,
  }
  const nsLabels = {
    'kubernetes.io/metadata.name': d.namespace ?? '',
    ...labelsOf(facts.namespaceObject),
  }
  if (d.namespace !== undefined && !selects(objectAt(first.hook, 'namespaceSelector'), nsLabels))
    return result(
      name,
      'fail',
      `the webhook's namespaceSelector excludes namespace ${d.namespace}`,
      { ...evidence, namespaceLabels: nsLabels },
    )
  if (d.pod !== undefined && !selects(objectAt(first.hook, 'objectSelector'), labelsOf(d.pod)))
    return result(name, 'fail', "the webhook's objectSelector excludes this pod", {
      ...evidence,
      podLabels: labelsOf(d.pod),
    })
  const ignore = evidence.failurePolicy === 'Ignore'
  return result(
    name,
    'pass',
    `${first.config} mutates pods${ignore ? ' (failurePolicy Ignore: while it is down pods start without credentials)' : ''}`,
    evidence,
  )
}

/** pod.mutated */
export function podMutated(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'pod.mutated'
  const only = podOnly(name, facts)
  if ('skip' in only) return only.skip
  const pod = only.pod
  const volumes = objectsAt(objectAt(pod, 'spec'), 'volumes').map((v) => stringAt(v, 'name'))
  const missing = containers(pod)
    .filter((c) => {
      const env = envOf(c)
      return !env.has(ROLE_ENV) || !env.has(TOKEN_FILE_ENV)
    })
    .map((c) => stringAt(c, 'name'))
  const hasVolume = volumes.includes(TOKEN_VOLUME)
  const evidence = { containersWithoutCredentials: missing, tokenVolume: hasVolume }
  if (missing.length === 0 && hasVolume)
    return result(
      name,
      'pass',
      `every container has ${ROLE_ENV}, ${TOKEN_FILE_ENV} and the ${TOKEN_VOLUME} volume`,
      evidence,
    )
  return result(
    name,
    'fail',
    `the pod was not mutated: ${missing.length > 0 ? `${missing.join(', ')} lack ${ROLE_ENV}/${TOKEN_FILE_ENV}` : `no ${TOKEN_VOLUME} volume`}`,
    evidence,
    restartCommand(pod, d.namespace ?? 'default'),
  )
}

/** When the ServiceAccount's role annotation was last written, from its managedFields. */
function annotatedAt(sa: JsonObject | undefined): string | undefined {
  const fields = objectsAt(objectAt(sa, 'metadata'), 'managedFields')
  const times = fields
    .filter((f) => JSON.stringify(f['fieldsV1'] ?? {}).includes(`f:${ROLE_ARN_ANNOTATION}`))
    .map((f) => stringAt(f, 'time'))
    .filter((t): t is string => t !== undefined)
  return times.sort().at(-1)
}

/** pod.after-annotation */
export function podAfterAnnotation(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'pod.after-annotation'
  const only = podOnly(name, facts)
  if ('skip' in only) return only.skip
  const pod = only.pod
  const created = stringAt(objectAt(pod, 'metadata'), 'creationTimestamp')
  const annotated = annotation(d.sa, ROLE_ARN_ANNOTATION)
  const at = annotatedAt(d.sa)
  const inPod = containers(pod)
    .map((c) => envOf(c).get(ROLE_ENV))
    .find((v) => v !== undefined)
  const evidence = {
    podCreated: created ?? null,
    annotationWritten: at ?? null,
    saRoleArn: annotated ?? null,
    podRoleArn: inPod ?? null,
  }
  const fix = restartCommand(pod, d.namespace ?? 'default')
  if (annotated === undefined)
    return result(name, 'cannot-tell', 'the ServiceAccount has no role annotation', evidence)
  if (inPod !== undefined && inPod !== annotated)
    return result(
      name,
      'fail',
      `the pod has ${ROLE_ENV}=${inPod} but the ServiceAccount now names ${annotated}: restart it`,
      evidence,
      fix,
    )
  if (
    inPod === undefined &&
    at !== undefined &&
    created !== undefined &&
    Date.parse(created) < Date.parse(at)
  )
    return result(
      name,
      'fail',
      'the pod was created before the ServiceAccount got its role annotation: restart it',
      evidence,
      fix,
    )
  if (inPod === undefined)
    return result(
      name,
      'fail',
      'the ServiceAccount is annotated but the pod has no credentials: it was created before the annotation (or while the webhook missed it)',
      evidence,
      fix,
    )
  return result(name, 'pass', 'the pod carries the role the ServiceAccount names', evidence)
}

/** pod.own-aws-env */
export function podOwnAwsEnv(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'pod.own-aws-env'
  const only = podOnly(name, facts)
  if ('skip' in only) return only.skip
  const pod = only.pod
  const annotated = annotation(d.sa, ROLE_ARN_ANNOTATION)
  const found: string[] = []
  const unset = new Map<string, string[]>()
  for (const c of containers(pod)) {
    const cname = stringAt(c, 'name') ?? ''
    const env = envOf(c)
    const own = OWN_CREDENTIAL_ENV.filter((k) => env.has(k))
    for (const k of own) found.push(`${cname}: ${k}`)
    if (own.length > 0) unset.set(cname, own)
    const role = env.get(ROLE_ENV)
    if (role !== undefined && annotated !== undefined && role !== annotated)
      found.push(`${cname}: ${ROLE_ENV}=${role}`)
    for (const m of objectsAt(c, 'volumeMounts'))
      if (stringAt(m, 'mountPath') === TOKEN_DIR && stringAt(m, 'name') !== TOKEN_VOLUME)
        found.push(`${cname}: volume ${stringAt(m, 'name') ?? ''} mounted at ${TOKEN_DIR}`)
  }
  if (found.length === 0)
    return result(name, 'pass', 'no container sets its own AWS credentials', {})
  return result(
    name,
    'fail',
    'a container sets its own AWS variables or mounts over the token: the SDK uses those (or the webhook leaves it alone)',
    { found },
    unsetEnvFix(pod, d.namespace ?? 'default', unset, found.length),
  )
}

/**
 * `kubectl set env deployment/D -c C NAME- …` for each container's own credentials (the
 * Deployment rolls its pods), when they are all there is to remove; else what to change.
 */
function unsetEnvFix(
  pod: JsonObject,
  namespace: string,
  unset: ReadonlyMap<string, readonly string[]>,
  found: number,
): string {
  const deployment = deploymentOf(pod)
  const count = [...unset.values()].reduce((n, v) => n + v.length, 0)
  if (deployment === undefined || count !== found)
    return 'remove these variables/mounts from the pod template, then restart the pods'
  return [...unset]
    .map(
      ([c, names]) =>
        `kubectl set env deployment/${deployment} -n ${shellQuote(namespace)} -c ${shellQuote(c)} ${names.map((n) => `${n}-`).join(' ')}`,
    )
    .join('\n')
}

function runAsUser(c: JsonObject, pod: JsonObject | undefined): number | undefined {
  const own = objectAt(c, 'securityContext')?.['runAsUser']
  const podLevel = objectAt(objectAt(pod, 'spec'), 'securityContext')?.['runAsUser']
  const v = own ?? podLevel
  return typeof v === 'number' ? v : undefined
}

/** pod.token-readable */
export function podTokenReadable(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'pod.token-readable'
  const only = podOnly(name, facts)
  if ('skip' in only) return only.skip
  const pod = only.pod
  const fsGroup = objectAt(objectAt(pod, 'spec'), 'securityContext')?.['fsGroup']
  const users = containers(pod).map((c) => runAsUser(c, pod))
  const distinct = [...new Set(users.map((u) => (u === undefined ? 'image default' : String(u))))]
  const evidence = { runAsUser: distinct, fsGroup: fsGroup ?? null }
  const nonRoot = users.some((u) => u !== undefined && u !== 0)
  if (fsGroup !== undefined || !nonRoot || distinct.length <= 1)
    return result(name, 'pass', 'the projected token is readable by every container', evidence)
  const deployment = deploymentOf(pod)
  const patch =
    deployment !== undefined
      ? `kubectl patch deployment/${deployment} -n ${shellQuote(d.namespace ?? 'default')} -p '{"spec":{"template":{"spec":{"securityContext":{"fsGroup":65534}}}}}'`
      : 'set spec.securityContext.fsGroup (e.g. 65534) in the pod manifest and create the pod again'
  return result(
    name,
    'fail',
    'containers run as different non-root users and the pod has no fsGroup: the token file (0600) is unreadable to some',
    evidence,
    patch,
  )
}

/** region.sts */
export function regionSts(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'region.sts'
  const only = podOnly(name, facts)
  if ('skip' in only) return only.skip
  const pod = only.pod
  const envs = containers(pod).map((c) => ({ c: stringAt(c, 'name') ?? '', env: envOf(c) }))
  const without = envs
    .filter((e) => !e.env.has('AWS_REGION') && !e.env.has('AWS_DEFAULT_REGION'))
    .map((e) => e.c)
  const first = envs[0]?.env
  const evidence = {
    AWS_REGION: first?.get('AWS_REGION') ?? null,
    AWS_DEFAULT_REGION: first?.get('AWS_DEFAULT_REGION') ?? null,
    AWS_STS_REGIONAL_ENDPOINTS: first?.get('AWS_STS_REGIONAL_ENDPOINTS') ?? null,
  }
  if (without.length > 0)
    return result(
      name,
      'fail',
      `${without.join(', ')} set neither AWS_REGION nor AWS_DEFAULT_REGION: SDKs need a region for the regional STS endpoint`,
      evidence,
      `kubectl annotate serviceaccount ${shellQuote(d.saName ?? '')} -n ${shellQuote(d.namespace ?? 'default')} eks.amazonaws.com/region=${facts.region ?? 'us-east-1'} --overwrite`,
    )
  const legacy = envs.filter((e) => e.env.get('AWS_STS_REGIONAL_ENDPOINTS') === 'legacy')
  if (legacy.length > 0)
    return result(
      name,
      'fail',
      `${legacy.map((e) => e.c).join(', ')} set AWS_STS_REGIONAL_ENDPOINTS=legacy: the SDK calls the global sts.amazonaws.com (timeouts where only the regional endpoint is reachable)`,
      { ...evidence, expected: 'regional', presented: 'legacy' },
      regionalFix(
        pod,
        d.namespace ?? 'default',
        legacy.map((e) => e.c),
      ),
    )
  const regional = evidence.AWS_STS_REGIONAL_ENDPOINTS === 'regional'
  return result(
    name,
    'pass',
    regional
      ? 'region set, regional STS endpoint'
      : 'region set (AWS_STS_REGIONAL_ENDPOINTS is not regional: older SDKs call the global endpoint)',
    evidence,
  )
}

/** `kubectl set env … AWS_STS_REGIONAL_ENDPOINTS=regional` for the pod's Deployment, else what to change. */
function regionalFix(pod: JsonObject, namespace: string, names: readonly string[]): string {
  const deployment = deploymentOf(pod)
  if (deployment === undefined)
    return 'set AWS_STS_REGIONAL_ENDPOINTS=regional (or remove it) in the pod manifest and create the pod again'
  return names
    .map(
      (c) =>
        `kubectl set env deployment/${deployment} -n ${shellQuote(namespace)} -c ${shellQuote(c)} AWS_STS_REGIONAL_ENDPOINTS=regional`,
    )
    .join('\n')
}
