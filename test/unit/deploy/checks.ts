import assert from 'node:assert/strict'
import { parseGoDuration, WEBHOOK_PATHS } from '../../../src/webhook/index.js'
import { runCli } from '../../helpers/cli.js'
import type { KubeObject } from './objects.js'

/** A flag `irsa webhook --help` lists, and whether it takes a value. */
export type FlagTable = ReadonlyMap<string, { takesValue: boolean }>

/** The flags of `irsa webhook`, read from its own help text (in process). */
export async function webhookFlags(): Promise<FlagTable> {
  const r = await runCli(['webhook', '--help'])
  assert.equal(r.code, 0, r.stderr)
  const flags = new Map<string, { takesValue: boolean }>()
  for (const line of r.stdout.split('\n')) {
    const m = /^\s+(?:-\w, )?--([a-z0-9-]+)(?: ([A-Z][A-Z_]*))?\s{2,}/.exec(line)
    if (m?.[1] !== undefined) flags.set(m[1], { takesValue: m[2] !== undefined })
  }
  assert.ok(flags.size > 10, `too few flags parsed from the help text:\n${r.stdout}`)
  return flags
}

type Obj = Record<string, unknown>

function at(o: unknown, ...path: (string | number)[]): unknown {
  let v = o
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[k]
  }
  return v
}

function obj(o: unknown, ...path: (string | number)[]): Obj {
  const v = at(o, ...path)
  assert.ok(typeof v === 'object' && v !== null, `expected an object at ${path.join('.')}`)
  return v as Obj
}

function list(o: unknown, ...path: (string | number)[]): Obj[] {
  const v = at(o, ...path)
  assert.ok(Array.isArray(v), `expected a list at ${path.join('.')}`)
  return v as Obj[]
}

function one(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  )
  assert.equal(found.length, 1, `expected one ${kind}${name === undefined ? '' : '/' + name}`)
  return found[0] as KubeObject
}

/** A Go duration (as cert-manager and the server's flags take them), in seconds. */
function seconds(d: unknown): number {
  assert.equal(typeof d, 'string')
  const ms = parseGoDuration(d as string)
  assert.ok(ms !== undefined, `not a duration: ${String(d)}`)
  return ms / 1000
}

/** The parsed `--flag[=value]` container arguments. */
export function parseArgs(args: readonly unknown[]): Map<string, string | true> {
  const out = new Map<string, string | true>()
  for (const a of args) {
    assert.equal(typeof a, 'string')
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a as string)
    assert.ok(m?.[1] !== undefined, `not a --flag argument: ${String(a)}`)
    assert.ok(!out.has(m[1]), `--${m[1]} given twice`)
    out.set(m[1], m[2] ?? true)
  }
  return out
}

/** What an install must look like, whichever way it was produced. */
export interface InstallExpectations {
  namespace: string
  /** Expected failurePolicy (the default is Ignore). */
  failurePolicy?: string
  /** cert-manager objects present (default true); without them, a caBundle instead. */
  certManager?: boolean
}

/**
 * Checks an install's objects hang together and match the server: the webhook
 * configuration (reinvocation, skip label, own-namespace exclusion, timeout, /mutate,
 * service), the Deployment (probes on the server's real paths and port, security context,
 * resources, flags the CLI lists, certificate files inside the mounted Secret), the PDB,
 * the Service, least-privilege RBAC and the cert-manager chain.
 */
export function checkInstall(
  objects: readonly KubeObject[],
  flags: FlagTable,
  expect: InstallExpectations,
): void {
  const ns = expect.namespace
  const certManager = expect.certManager ?? true
  for (const o of objects)
    if (
      !['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration'].includes(
        o.kind,
      )
    )
      assert.equal(o.metadata.namespace, ns, `${o.kind}/${o.metadata.name} is not in ${ns}`)

  const deployment = one(objects, 'Deployment')
  const service = one(objects, 'Service')
  const sa = one(objects, 'ServiceAccount')
  const podSpec = obj(deployment, 'spec', 'template', 'spec')
  const podLabels = obj(deployment, 'spec', 'template', 'metadata', 'labels')
  const matches = (selector: Obj): void => {
    for (const [k, v] of Object.entries(selector)) assert.equal(podLabels[k], v, `selector ${k}`)
  }
  matches(obj(deployment, 'spec', 'selector', 'matchLabels'))

  // Deployment: HA, identity, security, resources.
  assert.ok(Number(at(deployment, 'spec', 'replicas')) >= 2, 'at least 2 replicas')
  assert.equal(at(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable'), 0)
  assert.equal(podSpec['serviceAccountName'], sa.metadata.name)
  assert.notEqual(podSpec['automountServiceAccountToken'], false, 'the informer needs the API')
  assert.ok(
    at(podSpec, 'affinity', 'podAntiAffinity') !== undefined ||
      list(podSpec, 'topologySpreadConstraints').length > 0,
    'replicas are spread',
  )
  matches(obj(list(podSpec, 'topologySpreadConstraints')[0], 'labelSelector', 'matchLabels'))
  assert.equal(at(podSpec, 'securityContext', 'runAsNonRoot'), true)
  assert.ok(Number(at(podSpec, 'securityContext', 'runAsUser')) > 0, 'numeric non-root uid')
  assert.equal(at(podSpec, 'securityContext', 'seccompProfile', 'type'), 'RuntimeDefault')
  const containers = list(podSpec, 'containers')
  assert.equal(containers.length, 1)
  const c = containers[0] as Obj
  const sc = obj(c, 'securityContext')
  assert.equal(sc['allowPrivilegeEscalation'], false)
  assert.equal(sc['readOnlyRootFilesystem'], true)
  assert.equal(sc['runAsNonRoot'], true)
  assert.deepEqual(at(sc, 'capabilities', 'drop'), ['ALL'])
  assert.equal(at(sc, 'capabilities', 'add'), undefined)
  assert.equal(at(sc, 'seccompProfile', 'type'), 'RuntimeDefault')
  for (const r of ['cpu', 'memory']) {
    assert.ok(at(c, 'resources', 'requests', r) !== undefined, `requests.${r}`)
    assert.ok(at(c, 'resources', 'limits', r) !== undefined, `limits.${r}`)
  }

  // Container arguments: flags the CLI lists, values where the flag takes one.
  assert.equal(c['command'], undefined, 'the image entrypoint runs `irsa webhook`')
  const args = parseArgs(list(c, 'args'))
  for (const [name, value] of args) {
    const flag = flags.get(name)
    assert.ok(flag !== undefined, `--${name} is not a flag of irsa webhook`)
    assert.equal(value !== true, flag.takesValue, `--${name}: value given iff the flag takes one`)
  }
  assert.equal(args.get('in-cluster'), true)
  const httpsPort = Number(args.get('port'))
  const metricsPort = Number(args.get('metrics-port'))
  assert.ok(httpsPort > 1024 && metricsPort > 1024, 'unprivileged ports (no capabilities)')

  // Ports and probes point at what the server really serves.
  const ports = new Map(list(c, 'ports').map((p) => [p['name'], p['containerPort']]))
  assert.equal(ports.get('https'), httpsPort)
  assert.equal(ports.get('metrics'), metricsPort)
  for (const [probe, path] of [
    ['livenessProbe', WEBHOOK_PATHS.healthz],
    ['readinessProbe', WEBHOOK_PATHS.readyz],
  ] as const) {
    const get = obj(c, probe, 'httpGet')
    assert.equal(get['path'], path, probe)
    assert.equal(get['scheme'], 'HTTPS', probe)
    assert.equal(ports.get(String(get['port'])) ?? get['port'], httpsPort, `${probe} port`)
  }

  // The serving certificate files lie in the mounted Secret.
  const mount = list(c, 'volumeMounts').find((m) => m['name'] === 'serving-cert')
  assert.ok(mount !== undefined, 'serving-cert is mounted')
  assert.equal(mount['subPath'], undefined, 'no subPath: the kubelet must update the files')
  assert.equal(mount['readOnly'], true)
  for (const f of ['tls-cert', 'tls-key'])
    assert.ok(String(args.get(f)).startsWith(`${String(mount['mountPath'])}/`), `--${f}`)
  const volume = list(podSpec, 'volumes').find((v) => v['name'] === 'serving-cert')
  const tlsSecret = at(volume, 'secret', 'secretName')
  assert.equal(typeof tlsSecret, 'string')

  // PDB.
  const pdb = one(objects, 'PodDisruptionBudget')
  assert.equal(at(pdb, 'spec', 'minAvailable'), 1)
  matches(obj(pdb, 'spec', 'selector', 'matchLabels'))

  // Service: 443 to the https port, metrics named; selects the pods.
  matches(obj(service, 'spec', 'selector'))
  const svcPorts = list(service, 'spec', 'ports')
  const https = svcPorts.find((p) => p['port'] === 443)
  assert.equal(https?.['targetPort'], 'https')
  assert.equal(svcPorts.find((p) => p['name'] === 'metrics')?.['targetPort'], 'metrics')

  // RBAC: ServiceAccounts get/list/watch and nothing else, bound to the webhook's SA.
  const role = one(objects, 'ClusterRole')
  assert.deepEqual(at(role, 'rules'), [
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list', 'watch'] },
  ])
  assert.equal(objects.filter((o) => o.kind === 'Role').length, 0)
  const binding = one(objects, 'ClusterRoleBinding')
  assert.deepEqual(at(binding, 'roleRef'), {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: role.metadata.name,
  })
  assert.deepEqual(at(binding, 'subjects'), [
    { kind: 'ServiceAccount', name: sa.metadata.name, namespace: ns },
  ])

  // The webhook configuration.
  const mwc = one(objects, 'MutatingWebhookConfiguration')
  const hooks = list(mwc, 'webhooks')
  assert.equal(hooks.length, 1)
  const h = hooks[0] as Obj
  assert.equal(h['reinvocationPolicy'], 'IfNeeded')
  assert.equal(h['failurePolicy'], expect.failurePolicy ?? 'Ignore')
  assert.equal(h['sideEffects'], 'None')
  assert.deepEqual(h['admissionReviewVersions'], ['v1', 'v1beta1'])
  const timeout = Number(h['timeoutSeconds'])
  assert.ok(timeout >= 1 && timeout <= 30, 'timeoutSeconds within 1..30')
  const grace = String(args.get('service-account-lookup-grace-period') ?? '2s')
  assert.ok(timeout > seconds(grace), 'the timeout leaves room for a ServiceAccount lookup')
  assert.deepEqual(obj(h, 'clientConfig', 'service'), {
    name: service.metadata.name,
    namespace: ns,
    path: WEBHOOK_PATHS.mutate,
    port: 443,
  })
  assert.deepEqual(at(h, 'objectSelector', 'matchExpressions'), [
    { key: 'eks.amazonaws.com/skip-pod-identity-webhook', operator: 'DoesNotExist' },
  ])
  const nsExpr = list(h, 'namespaceSelector', 'matchExpressions').find(
    (e) => e['key'] === 'kubernetes.io/metadata.name',
  )
  assert.equal(nsExpr?.['operator'], 'NotIn')
  assert.ok((nsExpr['values'] as unknown[]).includes(ns), 'its own namespace is excluded')
  assert.deepEqual(h['rules'], [
    {
      operations: ['CREATE'],
      apiGroups: [''],
      apiVersions: ['v1'],
      resources: ['pods'],
      scope: 'Namespaced',
    },
  ])

  const certs = objects.filter((o) => o.kind === 'Certificate')
  const issuers = objects.filter((o) => o.kind === 'Issuer')
  if (!certManager) {
    assert.equal(certs.length + issuers.length, 0, 'no cert-manager objects')
    assert.equal(at(mwc, 'metadata', 'annotations', 'cert-manager.io/inject-ca-from'), undefined)
    assert.ok(String(at(h, 'clientConfig', 'caBundle')).length > 0, 'a caBundle')
    return
  }
  // cert-manager: selfsigned Issuer -> CA Certificate -> CA Issuer -> serving Certificate.
  assert.equal(at(h, 'clientConfig', 'caBundle'), undefined, 'the cainjector fills caBundle')
  const inject = String(at(mwc, 'metadata', 'annotations', 'cert-manager.io/inject-ca-from'))
  const [injectNs, injectName] = inject.split('/')
  assert.equal(injectNs, ns)
  const serving = one(objects, 'Certificate', injectName)
  const svc = service.metadata.name
  assert.deepEqual(at(serving, 'spec', 'dnsNames'), [
    svc,
    `${svc}.${ns}`,
    `${svc}.${ns}.svc`,
    `${svc}.${ns}.svc.cluster.local`,
  ])
  assert.equal(at(serving, 'spec', 'secretName'), tlsSecret)
  assert.ok((at(serving, 'spec', 'usages') as string[]).includes('server auth'))
  assert.ok(
    seconds(at(serving, 'spec', 'renewBefore')) < seconds(at(serving, 'spec', 'duration')),
    'serving renewBefore < duration (rotation)',
  )
  const caIssuer = one(objects, 'Issuer', String(at(serving, 'spec', 'issuerRef', 'name')))
  assert.equal(at(serving, 'spec', 'issuerRef', 'kind'), 'Issuer')
  const caSecret = at(caIssuer, 'spec', 'ca', 'secretName')
  const caCert = certs.find((x) => at(x, 'spec', 'secretName') === caSecret)
  assert.ok(caCert !== undefined, 'a Certificate makes the CA Issuer secret')
  assert.equal(at(caCert, 'spec', 'isCA'), true)
  assert.ok(seconds(at(caCert, 'spec', 'renewBefore')) < seconds(at(caCert, 'spec', 'duration')))
  const root = one(objects, 'Issuer', String(at(caCert, 'spec', 'issuerRef', 'name')))
  assert.deepEqual(at(root, 'spec', 'selfSigned'), {})
  assert.equal(certs.length, 2)
  assert.equal(issuers.length, 2)
}
