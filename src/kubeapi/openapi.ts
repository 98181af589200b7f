import type { JsonObject } from '../webhook/index.js'
import { groupVersion, RESOURCES, type ResourceInfo } from './resources.js'

/**
 * The OpenAPI v3 documents kubectl reads before `apply` (test/fixtures/kubectl/README.md):
 * `/openapi/v3` lists one document per group version; each document's PATCH operations
 * carry the `fieldValidation` query parameter (cli-runtime's queryParamVerifierV3 looks
 * for it: without it, kubectl's default `--validate=strict` fails) and
 * `x-kubernetes-group-version-kind`. The PATCH request bodies do not offer
 * `application/strategic-merge-patch+json`: then kubectl computes its strategic merge
 * patches from its compiled-in Go types, whose list merge keys are the ones this server
 * merges by, instead of from these deliberately small schemas.
 */

const PATCH_REF = { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' }
const PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force']

function docPath(gv: string): string {
  return gv === 'v1' ? 'api/v1' : `apis/${gv}`
}

/** A hash of a document's content would change with it; these documents change with the release. */
function hashOf(gv: string): string {
  return Buffer.from(`irsa-0.1-${gv}`).toString('hex').slice(0, 16).toUpperCase()
}

/** `GET /openapi/v3`. */
export function openApiRoot(): JsonObject {
  const paths: JsonObject = {}
  for (const gv of new Set(RESOURCES.map(groupVersion)))
    paths[docPath(gv)] = { serverRelativeURL: `/openapi/v3/${docPath(gv)}?hash=${hashOf(gv)}` }
  return { paths }
}

function schemaName(r: ResourceInfo): string {
  return `io.k8s.api.${r.group === '' ? 'core' : r.group}.${r.version}.${r.kind}`
}

function patchOperation(r: ResourceInfo): JsonObject {
  const gvk = { group: r.group, version: r.version, kind: r.kind }
  return {
    operationId: `patch${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
    parameters: PARAMS.map((name) => ({
      name,
      in: 'query',
      schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
    })),
    requestBody: {
      content: {
        'application/apply-patch+yaml': { schema: PATCH_REF },
        'application/json-patch+json': { schema: PATCH_REF },
        'application/merge-patch+json': { schema: PATCH_REF },
      },
      required: true,
    },
    responses: {
      '200': {
        description: 'OK',
        content: {
          'application/json': { schema: { $ref: `#/components/schemas/${schemaName(r)}` } },
        },
      },
    },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': gvk,
  }
}

/** `GET /openapi/v3/api/v1`, `GET /openapi/v3/apis/apps/v1`; undefined for another. */
export function openApiDocument(path: string): JsonObject | undefined {
  const resources = RESOURCES.filter((r) => docPath(groupVersion(r)) === path)
  if (resources.length === 0) return undefined
  const paths: JsonObject = {}
  const schemas: JsonObject = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { type: 'object' },
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
      type: 'object',
      properties: {
        name: { type: 'string' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  }
  for (const r of resources) {
    const base = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`
    paths[base] = { patch: patchOperation(r) }
    schemas[schemaName(r)] = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      },
      'x-kubernetes-group-version-kind': [{ group: r.group, version: r.version, kind: r.kind }],
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas },
  }
}
