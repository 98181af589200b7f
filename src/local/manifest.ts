import { parseAllDocuments } from 'yaml'
import type { KubeObjectKind } from '../store/index.js'
import type { JsonObject } from '../webhook/index.js'
import { LocalError } from './errors.js'

/** One object of a manifest file, checked and normalised, ready to apply. */
export interface Manifest {
  readonly kind: KubeObjectKind
  /** `''` for a Namespace; the object's namespace (or the default) otherwise. */
  readonly namespace: string
  readonly name: string
  /** The object as it will be stored: server-owned fields and `status` removed. */
  readonly object: JsonObject
  /** Where it came from, for messages: `document 2` or `document 2, item 1`. */
  readonly origin: string
}

/** Options of {@link parseManifests}. */
interface ParseOptions {
  /** The file name in messages (`-` for stdin). */
  readonly source: string
  /** The namespace of objects that name none (`-n`); default `default`. */
  readonly namespace?: string
  /**
   * `-n` was given: an object in another namespace is refused, as kubectl refuses it
   * ("the namespace from the provided object ... does not match").
   */
  readonly enforceNamespace?: boolean
}

const KINDS: readonly KubeObjectKind[] = ['Namespace', 'ServiceAccount', 'Pod']
/** Fields the API server owns: a manifest's values for them are ignored. */
const SERVER_FIELDS = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
]
/** A DNS-1123 subdomain (ServiceAccount and Pod names). */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
/** A DNS-1123 label (Namespace names, and every object's namespace). */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function fail(source: string, origin: string, why: string): LocalError {
  return new LocalError('ERR_LOCAL_MANIFEST', `${source}: ${origin}: ${why}`)
}

function checkName(source: string, origin: string, what: string, name: string, label: boolean) {
  const ok = label
    ? name.length <= 63 && LABEL.test(name)
    : name.length <= 253 && SUBDOMAIN.test(name)
  if (!ok)
    throw fail(
      source,
      origin,
      `${what} "${name}" is invalid: it must be lower-case letters, digits and '-'` +
        (label ? ' (at most 63)' : ", with '.' between parts (at most 253)"),
    )
}

function oneObject(raw: unknown, origin: string, options: ParseOptions): Manifest {
  const { source } = options
  if (!isObject(raw)) throw fail(source, origin, 'is not a Kubernetes object (a YAML mapping)')
  const apiVersion = raw['apiVersion']
  const kind = raw['kind']
  if (typeof kind !== 'string' || kind === '') throw fail(source, origin, "has no 'kind'")
  if (typeof apiVersion !== 'string' || apiVersion === '')
    throw fail(source, origin, `${kind} has no 'apiVersion'`)
  if (apiVersion !== 'v1' || !(KINDS as readonly string[]).includes(kind))
    throw fail(
      source,
      origin,
      `kind ${kind} (apiVersion ${apiVersion}) is not supported: irsa apply takes v1 Namespace, ServiceAccount and Pod (and List of them)`,
    )
  const k = kind as KubeObjectKind
  const meta = raw['metadata']
  if (!isObject(meta)) throw fail(source, origin, `${kind} has no metadata`)
  const name = meta['name']
  if (typeof name !== 'string' || name === '')
    throw fail(source, origin, `${kind} has no metadata.name (generateName is not supported)`)
  checkName(source, origin, `${kind} name`, name, k === 'Namespace')
  const metadata: JsonObject = { ...meta }
  for (const f of SERVER_FIELDS) Reflect.deleteProperty(metadata, f)
  let namespace = ''
  if (k === 'Namespace') {
    Reflect.deleteProperty(metadata, 'namespace')
  } else {
    const given = meta['namespace']
    if (given !== undefined && (typeof given !== 'string' || given === ''))
      throw fail(source, origin, 'metadata.namespace must be a non-empty string')
    const fallback = options.namespace ?? 'default'
    if (options.enforceNamespace === true && given !== undefined && given !== fallback)
      throw fail(
        source,
        origin,
        `the namespace from the provided object "${given}" does not match the namespace "${fallback}"; pass -n ${given}`,
      )
    namespace = given ?? fallback
    checkName(source, origin, 'namespace', namespace, true)
    metadata['namespace'] = namespace
  }
  const object: JsonObject = { ...raw, metadata }
  Reflect.deleteProperty(object, 'status')
  return { kind: k, namespace, name, object, origin }
}

/**
 * Parses a manifest file as `kubectl apply -f` takes it: YAML (or JSON) documents
 * separated by `---`, each a v1 Namespace, ServiceAccount or Pod, or a List of them.
 * Empty documents are skipped. Anything else is a one-line `ERR_LOCAL_MANIFEST` error
 * naming the file, the document (1-based) and the kind.
 */
export function parseManifests(text: string, options: ParseOptions): Manifest[] {
  const { source } = options
  const out: Manifest[] = []
  const docs = parseAllDocuments(text, { uniqueKeys: false })
  if (!Array.isArray(docs))
    throw new LocalError('ERR_LOCAL_MANIFEST', `${source}: a YAML document is missing its start`)
  docs.forEach((doc, i) => {
    const origin = `document ${String(i + 1)}`
    const error = doc.errors[0]
    if (error !== undefined)
      throw fail(source, origin, `is not valid YAML: ${error.message.split('\n')[0] ?? ''}`)
    const value: unknown = doc.toJS({ maxAliasCount: 100 })
    if (value === null || value === undefined) return
    if (isObject(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List')) {
      const items = value['items']
      if (value['apiVersion'] !== 'v1' || !Array.isArray(items))
        throw fail(source, origin, `kind ${value['kind']} must be apiVersion v1 with an items list`)
      items.forEach((item, j) => {
        out.push(oneObject(item, `${origin}, item ${String(j + 1)}`, options))
      })
      return
    }
    out.push(oneObject(value, origin, options))
  })
  if (out.length === 0)
    throw new LocalError('ERR_LOCAL_MANIFEST', `${source}: no objects passed to apply`)
  return out
}
