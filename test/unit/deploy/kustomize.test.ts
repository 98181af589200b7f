import { test } from 'node:test'
import assert from 'node:assert/strict'
import { repoPath } from '../../helpers/paths.js'
import { checkInstall, webhookFlags } from './checks.js'
import {
  kindNames,
  kubectlKustomize,
  loadManifestFolder,
  validateObject,
  type KubeObject,
} from './objects.js'

const base = repoPath('deploy', 'kustomize', 'base')
const overlay = repoPath('deploy', 'kustomize', 'overlays', 'other-namespace')

const EXPECTED = [
  'Certificate/irsa-webhook-ca',
  'Certificate/irsa-webhook-serving',
  'ClusterRole/irsa-webhook',
  'ClusterRoleBinding/irsa-webhook',
  'Deployment/irsa-webhook',
  'Issuer/irsa-webhook-ca',
  'Issuer/irsa-webhook-selfsigned',
  'MutatingWebhookConfiguration/irsa-webhook',
  'Namespace/irsa-system',
  'PodDisruptionBudget/irsa-webhook',
  'Service/irsa-webhook',
  'ServiceAccount/irsa-webhook',
]

function baseFiles(): KubeObject[] {
  const files = loadManifestFolder(base)
  assert.ok(files.length > 0, `no manifests under ${base}`)
  return files.flatMap((f) => f.objects)
}

test('every document of every file in the kustomize base validates against its schema', () => {
  const objects = baseFiles()
  assert.deepEqual(kindNames(objects), EXPECTED)
  for (const o of objects) validateObject(o)
})

test('the kustomize base files are a whole install that matches the server', async () => {
  checkInstall(baseFiles(), await webhookFlags(), { namespace: 'irsa-system' })
})

test('a deliberately broken manifest fails the checks (they can fail)', async () => {
  const flags = await webhookFlags()
  const objects = structuredClone(baseFiles())
  const mwc = objects.find((o) => o.kind === 'MutatingWebhookConfiguration') as KubeObject & {
    webhooks: Record<string, unknown>[]
  }
  delete (mwc.webhooks[0] as Record<string, unknown>)['reinvocationPolicy']
  assert.throws(() => {
    checkInstall(objects, flags, { namespace: 'irsa-system' })
  }, /IfNeeded/)
  const again = structuredClone(baseFiles())
  const dep = again.find((o) => o.kind === 'Deployment') as unknown as {
    spec: { template: { spec: { containers: { args: string[] }[] } } }
  }
  dep.spec.template.spec.containers[0]?.args.push('--no-such-flag=1')
  assert.throws(() => {
    checkInstall(again, flags, { namespace: 'irsa-system' })
  }, /no-such-flag/)
})

test('kubectl kustomize renders the base to the same objects, all valid', async (t) => {
  const rendered = kubectlKustomize(base)
  if ('skip' in rendered) {
    t.skip(rendered.skip)
    return
  }
  assert.deepEqual(kindNames(rendered), EXPECTED)
  for (const o of rendered) validateObject(o)
  checkInstall(rendered, await webhookFlags(), { namespace: 'irsa-system' })
  for (const o of rendered)
    assert.equal(
      (o.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/part-of'],
      'irsa',
    )
})

test('the other-namespace overlay moves every namespace reference, none left behind', async (t) => {
  const rendered = kubectlKustomize(overlay)
  if ('skip' in rendered) {
    t.skip(rendered.skip)
    return
  }
  for (const o of rendered) validateObject(o)
  assert.ok(!JSON.stringify(rendered).includes('irsa-system'), 'irsa-system left in the overlay')
  checkInstall(rendered, await webhookFlags(), { namespace: 'irsa' })
  assert.deepEqual(
    kindNames(rendered),
    EXPECTED.map((n) => (n === 'Namespace/irsa-system' ? 'Namespace/irsa' : n)).sort(),
  )
})
