import { humanDuration } from '../local/index.js'
import type { JsonObject } from '../webhook/index.js'
import { acceptsJsonAs, obj, str } from './json.js'

/**
 * Server-side printing: `meta.k8s.io/v1` Tables with the columns kube-apiserver's printers
 * (pkg/printers/internalversion/printers.go) give each kind, so `kubectl get` shows the
 * usual columns (priority 1 columns only with `-o wide`). Rows carry the object as
 * PartialObjectMetadata, as they do by default (`includeObject=Metadata`).
 */

/** A column of a Table. */
export interface TableColumn {
  readonly name: string
  readonly type: 'string' | 'integer'
  readonly format: string
  readonly description: string
  readonly priority: number
}

type Cell = string | number

interface Printer {
  readonly columns: readonly TableColumn[]
  readonly cells: (o: JsonObject, nowMs: number) => readonly Cell[]
}

const col = (
  name: string,
  description: string,
  o: { type?: 'string' | 'integer'; format?: string; priority?: number } = {},
): TableColumn => ({
  name,
  type: o.type ?? 'string',
  format: o.format ?? '',
  description,
  priority: o.priority ?? 0,
})

const NAME = col('Name', 'Name must be unique within a namespace.', { format: 'name' })
const AGE = col(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
)

function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : []
}
function num(v: unknown): number {
  return typeof v === 'number' ? v : 0
}

const nameOf = (o: JsonObject): string => str(obj(o['metadata'])['name'])

/** The Age cell: `<unknown>` without a creationTimestamp, as kube-apiserver prints it. */
export function ageCell(o: JsonObject, nowMs: number): string {
  const at = Date.parse(str(obj(o['metadata'])['creationTimestamp']))
  return Number.isNaN(at) ? '<unknown>' : humanDuration(nowMs - at)
}

function podCells(o: JsonObject, nowMs: number): Cell[] {
  const spec = obj(o['spec'])
  const status = obj(o['status'])
  const statuses = arr(status['containerStatuses']).map(obj)
  const ready = statuses.filter((s) => s['ready'] === true).length
  const restarts = statuses.reduce((n, s) => n + num(s['restartCount']), 0)
  const reason = str(status['reason']) || str(status['phase'], 'Unknown')
  return [
    nameOf(o),
    `${String(ready)}/${String(arr(spec['containers']).length)}`,
    reason,
    String(restarts),
    ageCell(o, nowMs),
    str(status['podIP'], '<none>'),
    str(spec['nodeName'], '<none>'),
    '<none>',
    '<none>',
  ]
}

function deploymentCells(o: JsonObject, nowMs: number): Cell[] {
  const spec = obj(o['spec'])
  const status = obj(o['status'])
  const containers = arr(obj(obj(spec['template'])['spec'])['containers']).map(obj)
  const selector = obj(obj(spec['selector'])['matchLabels'])
  return [
    nameOf(o),
    `${String(num(status['readyReplicas']))}/${String(num(spec['replicas']))}`,
    num(status['updatedReplicas']),
    num(status['availableReplicas']),
    ageCell(o, nowMs),
    containers.map((c) => str(c['name'])).join(','),
    containers.map((c) => str(c['image'])).join(','),
    Object.entries(selector)
      .map(([k, v]) => `${k}=${str(v)}`)
      .join(','),
  ]
}

function eventCells(o: JsonObject, nowMs: number): Cell[] {
  const involved = obj(o['involvedObject'])
  const last = Date.parse(str(o['lastTimestamp']) || str(o['eventTime']))
  const first = Date.parse(str(o['firstTimestamp']))
  const since = (t: number): string => (Number.isNaN(t) ? '<unknown>' : humanDuration(nowMs - t))
  const source = obj(o['source'])
  return [
    since(last),
    str(o['type']),
    str(o['reason']),
    `${str(involved['kind']).toLowerCase()}/${str(involved['name'])}`,
    str(involved['fieldPath']),
    str(source['component']),
    str(o['message']),
    since(first),
    num(o['count']),
    nameOf(o),
  ]
}

const PRINTERS: Readonly<Record<string, Printer>> = {
  Namespace: {
    columns: [NAME, col('Status', 'The status of the namespace'), AGE],
    cells: (o, now) => [nameOf(o), str(obj(o['status'])['phase'], 'Active'), ageCell(o, now)],
  },
  ServiceAccount: {
    columns: [NAME, col('Secrets', 'Secrets is a list of the secrets', { type: 'integer' }), AGE],
    cells: (o, now) => [nameOf(o), arr(o['secrets']).length, ageCell(o, now)],
  },
  ConfigMap: {
    columns: [NAME, col('Data', 'Data contains the configuration data', { type: 'integer' }), AGE],
    cells: (o, now) => [
      nameOf(o),
      Object.keys(obj(o['data'])).length + Object.keys(obj(o['binaryData'])).length,
      ageCell(o, now),
    ],
  },
  Secret: {
    columns: [
      NAME,
      col('Type', 'The type of secret'),
      col('Data', 'Data contains the secret data', { type: 'integer' }),
      AGE,
    ],
    cells: (o, now) => [
      nameOf(o),
      str(o['type'], 'Opaque'),
      Object.keys(obj(o['data'])).length,
      ageCell(o, now),
    ],
  },
  Pod: {
    columns: [
      NAME,
      col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'The number of times the containers in this pod have been restarted.'),
      AGE,
      col('IP', 'IP address allocated to the pod.', { priority: 1 }),
      col('Node', 'Name of the Node this pod is assigned to.', { priority: 1 }),
      col('Nominated Node', 'Name of the Node nominated for this pod.', { priority: 1 }),
      col('Readiness Gates', 'Pod readiness gates.', { priority: 1 }),
    ],
    cells: podCells,
  },
  Deployment: {
    columns: [
      NAME,
      col('Ready', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
        { type: 'integer' },
      ),
      col(
        'Available',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
        { type: 'integer' },
      ),
      AGE,
      col('Containers', 'Names of each container in the template.', { priority: 1 }),
      col('Images', 'Images referenced by each container in the template.', { priority: 1 }),
      col('Selector', 'Label selector for pods.', { priority: 1 }),
    ],
    cells: deploymentCells,
  },
  MutatingWebhookConfiguration: {
    columns: [NAME, col('Webhooks', 'Webhooks is a list of webhooks', { type: 'integer' }), AGE],
    cells: (o, now) => [nameOf(o), arr(o['webhooks']).length, ageCell(o, now)],
  },
  Event: {
    columns: [
      col('Last Seen', 'The time when the latest occurrence of this event was recorded.'),
      col('Type', 'Type of this event (Normal, Warning).'),
      col('Reason', 'This should be a short, machine understandable string.'),
      col('Object', 'The object that this event is about.'),
      col('Subobject', 'The subobject of the event.', { priority: 1 }),
      col('Source', 'The component reporting this event.', { priority: 1 }),
      col('Message', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'The time at which the event was first recorded.', { priority: 1 }),
      col('Count', 'The number of times this event has occurred.', {
        type: 'integer',
        priority: 1,
      }),
      col('Name', 'Name must be unique within a namespace.', { format: 'name', priority: 1 }),
    ],
    cells: eventCells,
  },
}

function partialMetadata(o: JsonObject): JsonObject {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: obj(o['metadata']),
  }
}

/**
 * The Table of `objects` of `kind`; `includeObject` as the query asks (`None`, `Object`,
 * default `Metadata`).
 */
export function renderTable(
  kind: string,
  objects: readonly JsonObject[],
  o: { readonly nowMs: number; readonly resourceVersion: string; readonly includeObject?: string },
): JsonObject {
  const printer = PRINTERS[kind] ?? {
    columns: [NAME, AGE],
    cells: (x: JsonObject, now: number) => [nameOf(x), ageCell(x, now)],
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: o.resourceVersion },
    columnDefinitions: printer.columns as unknown as JsonObject[],
    rows: objects.map((x) => ({
      cells: [...printer.cells(x, o.nowMs)],
      ...(o.includeObject === 'None'
        ? {}
        : { object: o.includeObject === 'Object' ? x : partialMetadata(x) }),
    })),
  }
}

/** Whether `accept` asks for a Table (`application/json;as=Table;v=v1;g=meta.k8s.io`). */
export function wantsTable(accept: string | undefined): boolean {
  return acceptsJsonAs(accept, { g: 'meta.k8s.io', v: 'v1', as: 'Table' })
}
