import { parse as parseYaml } from 'yaml'
import type { JsonObject, JsonValue } from '../webhook/index.js'
import { metaString } from './json.js'
import { applyPatch, isApplyPatch, strategicMerge } from './patch.js'
import { decodeProtobufObject, PROTOBUF_TYPE } from './protobuf.js'
import type { KubeRegistry } from './registry.js'
import type { ResourceInfo } from './resources.js'
import { fieldValidationOf, unknownFields, validateFields } from './fields.js'
import { kubeError, type GroupResource } from './status.js'
import { renderTable, wantsTable } from './table.js'

/** A request to one resource, after routing and authentication. */
export interface ResourceRequest {
  readonly method: string
  readonly resource: ResourceInfo
  readonly namespace: string | undefined
  readonly name: string | undefined
  readonly query: URLSearchParams
  readonly accept: string | undefined
  readonly contentType: string | undefined
  /** The body as sent (protobuf is binary). */
  readonly raw: Buffer
  readonly nowMs: number
}

/** A finished answer: status and a JSON body. */
export interface Answer {
  readonly status: number
  readonly body: JsonValue
  /** `Warning` header values (unknown fields under `fieldValidation=Warn`). */
  readonly warnings?: readonly string[]
}

const ok = (body: JsonValue, status = 200): Answer => ({ status, body })
const gr = (r: ResourceInfo): GroupResource => ({ group: r.group, resource: r.resource })

/** A request body as JSON: JSON, YAML, or the protobuf messages read here. */
export function parseBody(req: Pick<ResourceRequest, 'raw' | 'contentType'>): JsonValue {
  const type = (req.contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? ''
  try {
    if (type === PROTOBUF_TYPE) return decodeProtobufObject(req.raw)
    if (type === 'application/yaml') return parseYaml(req.raw.toString('utf8')) as JsonValue
    if (type === 'application/json' || type === '')
      return JSON.parse(req.raw.toString('utf8')) as JsonValue
  } catch (e) {
    throw kubeError('BadRequest', {
      detail: `the object provided is unrecognized (must be of type ${type}): ${e instanceof Error ? e.message : String(e)}`,
    })
  }
  throw kubeError('UnsupportedMediaType', {
    detail: 'application/json, application/yaml, application/vnd.kubernetes.protobuf',
  })
}

function listOf(req: ResourceRequest, registry: KubeRegistry): Answer {
  const items = registry.list(req.resource, req.namespace, {
    ...(req.query.get('labelSelector') !== null
      ? { labelSelector: req.query.get('labelSelector') ?? '' }
      : {}),
    ...(req.query.get('fieldSelector') !== null
      ? { fieldSelector: req.query.get('fieldSelector') ?? '' }
      : {}),
  })
  const resourceVersion = registry.resourceVersion()
  if (wantsTable(req.accept))
    return ok(
      renderTable(req.resource.kind, items, {
        nowMs: req.nowMs,
        resourceVersion,
        ...(req.query.get('includeObject') !== null
          ? { includeObject: req.query.get('includeObject') ?? '' }
          : {}),
      }),
    )
  const gv = req.resource.group === '' ? 'v1' : `${req.resource.group}/${req.resource.version}`
  return ok({
    kind: `${req.resource.kind}List`,
    apiVersion: gv,
    metadata: { resourceVersion },
    items,
  })
}

function one(req: ResourceRequest, object: JsonObject, status = 200): Answer {
  if (!wantsTable(req.accept)) return ok(object, status)
  return ok(
    renderTable(req.resource.kind, [object], {
      nowMs: req.nowMs,
      resourceVersion: metaString(object, 'resourceVersion'),
    }),
    status,
  )
}

function deleted(req: ResourceRequest, object: JsonObject): Answer {
  if (req.resource.kind === 'Pod' || req.resource.kind === 'Namespace') return ok(object)
  return ok({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: req.name ?? '',
      ...(req.resource.group !== '' ? { group: req.resource.group } : {}),
      kind: req.resource.resource,
      uid: metaString(object, 'uid'),
    },
  })
}

/** The body under the request's `fieldValidation` (protobuf bodies have no unknown fields). */
function checkedBody(
  req: ResourceRequest,
  body: JsonValue,
  ignore: readonly string[] = [],
): { readonly body: JsonValue; readonly warnings: readonly string[] } {
  const type = (req.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === PROTOBUF_TYPE) return { body, warnings: [] }
  return validateFields(
    req.resource.kind,
    req.resource.version,
    body,
    fieldValidationOf(req.query),
    ignore,
  )
}

function warned(a: Answer, warnings: readonly string[]): Answer {
  return warnings.length === 0 ? a : { ...a, warnings }
}

/**
 * Server-side apply (`application/apply-patch+yaml`, `kubectl apply --server-side`): the
 * applied configuration creates the object when it is absent, and is merged into it
 * (strategic merge) when it is there. Field ownership is not tracked: a field left out
 * of a later apply stays, and no apply conflicts with another manager.
 */
function serverSideApply(
  req: ResourceRequest,
  registry: KubeRegistry,
  ns: string,
  name: string,
): Answer {
  const applied = parseBody({ raw: req.raw, contentType: 'application/yaml' })
  if (!registry.exists(req.resource, ns, name))
    return one(req, registry.create(req.resource, ns, applied), 201)
  const current = registry.get(req.resource, ns, name)
  const next = strategicMerge(current, applied)
  return one(req, registry.replace(req.resource, ns, name, next))
}

/**
 * get, list, create, update (PUT), patch and delete of one resource, as kube-apiserver
 * answers them. `namespace` is the URL's (default when a namespaced create has none).
 */
export function serveVerb(req: ResourceRequest, registry: KubeRegistry): Answer {
  const r = req.resource
  const ns = req.namespace ?? 'default'
  const name = req.name
  switch (req.method) {
    case 'GET':
      return name === undefined ? listOf(req, registry) : one(req, registry.get(r, ns, name))
    case 'POST': {
      if (name !== undefined) break
      const checked = checkedBody(req, parseBody(req))
      return warned(one(req, registry.create(r, ns, checked.body), 201), checked.warnings)
    }
    case 'PUT': {
      if (name === undefined) break
      const checked = checkedBody(req, parseBody(req))
      return warned(one(req, registry.update(r, ns, name, checked.body)), checked.warnings)
    }
    case 'PATCH': {
      if (name === undefined) break
      if (isApplyPatch(req.contentType)) return serverSideApply(req, registry, ns, name)
      const current = registry.get(r, ns, name)
      const next = applyPatch(current, req.contentType ?? '', req.raw.toString('utf8'))
      // Fields already unknown in the stored object (written by `irsa apply`) are not the patch's.
      const checked = checkedBody(req, next, unknownFields(r.kind, current))
      return warned(one(req, registry.replace(r, ns, name, checked.body)), checked.warnings)
    }
    case 'DELETE':
      if (name === undefined) break
      return deleted(req, registry.delete(r, ns, name))
  }
  throw kubeError('MethodNotAllowed', { resource: gr(r), detail: req.method })
}
