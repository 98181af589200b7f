import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { renderChart } from '../../helpers/helm-subset.js'
import { repoPath } from '../../helpers/paths.js'
import { checkInstall, parseArgs, webhookFlags } from './checks.js'
import {
  asKubeObject,
  kindNames,
  loadManifestFolder,
  validateObject,
  type KubeObject,
} from './objects.js'

const chart = repoPath('deploy', 'helm', 'irsa-webhook')

function render(
  release: { name: string; namespace: string },
  values: Record<string, unknown> = {},
): { objects: KubeObject[]; notes: string } {
  const r = renderChart(chart, release, values)
  return {
    objects: r.objects.map((o, i) => asKubeObject(o, `rendered document ${String(i)}`)),
    notes: r.notes,
  }
}

function find(objects: readonly KubeObject[], kind: string): Record<string, unknown> {
  const o = objects.find((x) => x.kind === kind)
  assert.ok(o !== undefined, `no ${kind}`)
  return o
}

const DEFAULT_RELEASE = { name: 'irsa-webhook', namespace: 'irsa-system' }

test('the chart rendered with its default values validates and is a whole install', async () => {
  const { objects, notes } = render(DEFAULT_RELEASE)
  assert.ok(objects.length > 0)
  for (const o of objects) validateObject(o)
  checkInstall(objects, await webhookFlags(), { namespace: 'irsa-system' })
  assert.match(notes, /installed in namespace irsa-system/)
  assert.match(notes, /deployment\/irsa-webhook/)
})

test('the default render has the kustomize base objects (kind and name), less the Namespace', () => {
  const base = loadManifestFolder(repoPath('deploy', 'kustomize', 'base')).flatMap((f) => f.objects)
  // Helm leaves namespaces to `helm install --create-namespace`.
  const expected = kindNames(base).filter((n) => !n.startsWith('Namespace/'))
  assert.deepEqual(kindNames(render(DEFAULT_RELEASE).objects), expected)
})

test('the default render runs the container exactly as the kustomize base does', () => {
  const base = loadManifestFolder(repoPath('deploy', 'kustomize', 'base')).flatMap((f) => f.objects)
  const container = (objects: readonly KubeObject[]): Record<string, unknown> => {
    const d = find(objects, 'Deployment') as {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } }
    }
    const c = d.spec.template.spec.containers[0]
    assert.ok(c !== undefined)
    return c
  }
  const a = container(base)
  const b = container(render(DEFAULT_RELEASE).objects)
  for (const k of ['image', 'ports', 'livenessProbe', 'readinessProbe', 'securityContext'])
    assert.deepEqual(b[k], a[k], k)
  // The chart passes the server's defaults explicitly; every flag of the base is there alike.
  const argsA = parseArgs(a['args'] as unknown[])
  const argsB = parseArgs(b['args'] as unknown[])
  for (const [flag, value] of argsA) assert.equal(argsB.get(flag), value, `--${flag}`)
})

test('non-default values reach the objects, and the render still validates', async () => {
  const { objects } = render(
    { name: 'team-irsa', namespace: 'security' },
    {
      replicaCount: 3,
      image: { repository: 'registry.example/irsa', tag: '9.9.9', pullPolicy: 'Always' },
      imagePullSecrets: [{ name: 'pull' }],
      webhook: {
        annotationPrefix: 'irsa.example.com',
        tokenAudience: 'example-aud',
        tokenExpiration: 3600,
        awsDefaultRegion: 'eu-west-1',
        stsRegionalEndpoint: true,
        serviceAccountLookupGracePeriod: '1500ms',
        port: 10443,
        metricsPort: 19999,
        logLevel: 'debug',
        extraArgs: ['--role-session-name', '--fs-group=2000'],
      },
      admission: {
        failurePolicy: 'Fail',
        timeoutSeconds: 12,
        namespaceExclusions: ['kube-system'],
      },
      certManager: { duration: '720h', renewBefore: '240h' },
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '2', memory: '512Mi' },
      },
      priorityClassName: 'system-cluster-critical',
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }],
    },
  )
  for (const o of objects) validateObject(o)
  checkInstall(objects, await webhookFlags(), { namespace: 'security', failurePolicy: 'Fail' })
  for (const o of objects) assert.match(o.metadata.name, /^team-irsa/)

  const dep = find(objects, 'Deployment') as {
    spec: {
      replicas: number
      template: {
        metadata: { annotations: Record<string, string> }
        spec: Record<string, unknown> & { containers: Record<string, unknown>[] }
      }
    }
  }
  assert.equal(dep.spec.replicas, 3)
  const pod = dep.spec.template.spec
  assert.equal(pod['priorityClassName'], 'system-cluster-critical')
  assert.deepEqual(pod['imagePullSecrets'], [{ name: 'pull' }])
  assert.deepEqual(pod['nodeSelector'], { 'kubernetes.io/os': 'linux' })
  assert.equal((pod['tolerations'] as unknown[]).length, 1)
  assert.deepEqual(dep.spec.template.metadata.annotations, { 'prometheus.io/scrape': 'true' })
  const c = pod.containers[0] ?? {}
  assert.equal(c['image'], 'registry.example/irsa:9.9.9')
  assert.equal(c['imagePullPolicy'], 'Always')
  assert.deepEqual(c['resources'], {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '2', memory: '512Mi' },
  })
  const args = parseArgs(c['args'] as unknown[])
  assert.equal(args.get('annotation-prefix'), 'irsa.example.com')
  assert.equal(args.get('token-audience'), 'example-aud')
  assert.equal(args.get('token-expiration'), '3600')
  assert.equal(args.get('aws-default-region'), 'eu-west-1')
  assert.equal(args.get('sts-regional-endpoint'), true)
  assert.equal(args.get('service-account-lookup-grace-period'), '1500ms')
  assert.equal(args.get('port'), '10443')
  assert.equal(args.get('metrics-port'), '19999')
  assert.equal(args.get('log-level'), 'debug')
  assert.equal(args.get('role-session-name'), true)
  assert.equal(args.get('fs-group'), '2000')

  const mwc = find(objects, 'MutatingWebhookConfiguration') as {
    webhooks: {
      timeoutSeconds: number
      namespaceSelector: { matchExpressions: { values: string[] }[] }
    }[]
  }
  const hook = mwc.webhooks[0]
  assert.ok(hook !== undefined)
  assert.equal(hook.timeoutSeconds, 12)
  assert.deepEqual(hook.namespaceSelector.matchExpressions[0]?.values, ['security', 'kube-system'])
  const serving = objects.find((o) => o.metadata.name === 'team-irsa-serving') as unknown as {
    spec: { duration: string; renewBefore: string }
  }
  assert.equal(serving.spec.duration, '720h')
  assert.equal(serving.spec.renewBefore, '240h')
})

test('without cert-manager the chart uses the provided Secret and caBundle', async () => {
  const { objects } = render(DEFAULT_RELEASE, {
    certManager: { enabled: false },
    tls: { secretName: 'my-webhook-tls', caBundle: 'LS0tLS1CRUdJTi0tLS0t' },
  })
  for (const o of objects) validateObject(o)
  checkInstall(objects, await webhookFlags(), { namespace: 'irsa-system', certManager: false })
  const dep = find(objects, 'Deployment') as {
    spec: { template: { spec: { volumes: { secret: { secretName: string } }[] } } }
  }
  assert.equal(dep.spec.template.spec.volumes[0]?.secret.secretName, 'my-webhook-tls')
  const mwc = find(objects, 'MutatingWebhookConfiguration') as {
    webhooks: { clientConfig: { caBundle: string } }[]
  }
  assert.equal(mwc.webhooks[0]?.clientConfig.caBundle, 'LS0tLS1CRUdJTi0tLS0t')
})

test('without cert-manager, a missing Secret name or caBundle stops the render', () => {
  assert.throws(
    () => render(DEFAULT_RELEASE, { certManager: { enabled: false }, tls: { caBundle: 'QQ==' } }),
    /tls\.secretName is required/,
  )
  assert.throws(
    () => render(DEFAULT_RELEASE, { certManager: { enabled: false }, tls: { secretName: 's' } }),
    /tls\.caBundle is required/,
  )
})

test('a schema-invalid value makes validation fail (the schemas do check)', () => {
  const { objects } = render(DEFAULT_RELEASE, { replicaCount: 'two' })
  const dep = objects.find((o) => o.kind === 'Deployment')
  assert.ok(dep !== undefined)
  assert.throws(() => {
    validateObject(dep)
  }, /replicas/)
  const { objects: again } = render(DEFAULT_RELEASE, { certManager: { renewBefore: 5 } })
  const serving = again.find((o) => o.metadata.name === 'irsa-webhook-serving')
  assert.ok(serving !== undefined)
  assert.throws(() => {
    validateObject(serving)
  }, /renewBefore/)
})

/** `a.b.c` paths of values.yaml, stopping at lists and empty maps. */
function valuePaths(v: unknown, prefix = ''): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length === 0)
    return [prefix]
  return Object.entries(v).flatMap(([k, x]) => valuePaths(x, prefix === '' ? k : `${prefix}.${k}`))
}

test('every value in values.yaml is used by a template and named in docs/deploy.md', () => {
  const values: unknown = parse(readFileSync(join(chart, 'values.yaml'), 'utf8'))
  const templates = readdirSync(join(chart, 'templates'))
    .map((f) => readFileSync(join(chart, 'templates', f), 'utf8'))
    .join('\n')
  const docs = readFileSync(repoPath('docs', 'deploy.md'), 'utf8')
  const paths = valuePaths(values)
  assert.ok(paths.length > 10)
  for (const p of paths) {
    // A map rendered whole (resources, via toYaml) counts for its leaves.
    const used = p.split('.').some((_, i, parts) => {
      const prefix = parts.slice(0, i + 1).join('.')
      return new RegExp(`\\.Values\\.${prefix.replaceAll('.', '\\.')}(?![A-Za-z0-9_.])`).test(
        templates,
      )
    })
    assert.ok(used, `values.yaml ${p} is used by no template`)
    const named = p
      .split('.')
      .some((_, i, parts) => docs.includes(`\`${parts.slice(0, i + 1).join('.')}\``))
    assert.ok(named, `docs/deploy.md names ${p}`)
  }
})
