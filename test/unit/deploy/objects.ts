import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1'
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1'
import { Deployment } from 'kubernetes-models/apps/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1'
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1'
import { parseAllDocuments } from 'yaml'

/** A Kubernetes object as loaded from YAML. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string }
}

type Model = new (data: never) => { validate(): void }

// Each kind the deploy/ manifests may contain, checked against its JSON schema
// (Kubernetes 1.3x for the core kinds, cert-manager v1 for Issuer and Certificate).
const MODELS: Readonly<Record<string, Model>> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
  'cert-manager.io/v1/Issuer': Issuer,
  'cert-manager.io/v1/Certificate': Certificate,
}

/** Validates one object against its kind's schema; an unexpected kind is an error. */
export function validateObject(obj: KubeObject): void {
  const Kind = MODELS[`${obj.apiVersion}/${obj.kind}`]
  if (Kind === undefined)
    throw new Error(`no schema for ${obj.apiVersion} ${obj.kind} (${obj.metadata.name})`)
  new Kind(obj as never).validate()
}

/** Checks that a parsed document has the shape of a Kubernetes object. */
export function asKubeObject(doc: unknown, where: string): KubeObject {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new Error(`${where}: not an object`)
  const o = doc as Record<string, unknown>
  const meta = o['metadata'] as Record<string, unknown> | undefined
  if (typeof o['apiVersion'] !== 'string' || typeof o['kind'] !== 'string')
    throw new Error(`${where}: apiVersion and kind are required`)
  if (typeof meta?.['name'] !== 'string') throw new Error(`${where}: metadata.name is required`)
  return o as KubeObject
}

/** Every non-empty document of a multi-document YAML text. */
export function parseObjects(text: string, where: string): KubeObject[] {
  const out: KubeObject[] = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0]?.message ?? ''}`)
    const js: unknown = doc.toJS()
    if (js === null || js === undefined) continue
    out.push(asKubeObject(js, where))
  }
  return out
}

/** The objects of every manifest file in a kustomize folder (not kustomization.yaml). */
export function loadManifestFolder(dir: string): { file: string; objects: KubeObject[] }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .map((f) => ({ file: f, objects: parseObjects(readFileSync(join(dir, f), 'utf8'), f) }))
}

/**
 * `kubectl kustomize DIR`'s objects, or a reason it could not run. Under CI=true a
 * missing kubectl is a failure (the tools.ts convention); elsewhere the caller skips loudly.
 */
export function kubectlKustomize(dir: string): KubeObject[] | { skip: string } {
  const probe = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' })
  if (probe.status !== 0) {
    const why =
      "SKIPPED: 'kubectl' is not available on this machine (kubectl version --client failed)"
    if (process.env['CI'] === 'true') throw new Error(`${why}; it is required when CI=true`)
    console.warn(`\n*** ${why} ***\n`)
    return { skip: why }
  }
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`)
  return parseObjects(r.stdout, `kubectl kustomize ${dir}`)
}

/** `Kind/name` of each object, sorted (namespaces left out). */
export function kindNames(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()
}
