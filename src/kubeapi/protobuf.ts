import type { JsonObject } from '../webhook/index.js'

/**
 * The Kubernetes protobuf request bodies kubectl's typed clients send
 * (`application/vnd.kubernetes.protobuf`): the `k8s\0` magic, then a runtime.Unknown
 * (typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2) whose raw bytes are the object's
 * message. Read as JSON objects for the messages kubectl's `create` verbs send here:
 * TokenRequest (`create token`), Namespace (`create namespace`), ServiceAccount,
 * ConfigMap and Secret; field numbers from k8s.io/api core/v1 and
 * authentication/v1 generated.proto and apimachinery's meta/v1 ObjectMeta.
 */

export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf'

interface Field {
  readonly no: number
  readonly varint?: number
  readonly bytes?: Buffer
}

/** The fields of one message: varints and length-delimited fields (others refused). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = []
  let i = 0
  const varint = (): number => {
    let v = 0
    for (let shift = 0; ; shift += 7) {
      if (i >= buf.length || shift > 49) throw new RangeError('truncated varint')
      const b = buf[i++] ?? 0
      v += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return v
    }
  }
  while (i < buf.length) {
    const key = varint()
    const no = Math.floor(key / 8)
    const wire = key % 8
    if (wire === 0) out.push({ no, varint: varint() })
    else if (wire === 2) {
      const len = varint()
      if (i + len > buf.length) throw new RangeError('truncated field')
      out.push({ no, bytes: buf.subarray(i, i + len) })
      i += len
    } else throw new RangeError(`unsupported wire type ${String(wire)}`)
  }
  return out
}

const text = (f: Field): string => (f.bytes ?? Buffer.alloc(0)).toString('utf8')

/** A `map<string, string>` (or bytes, as base64: JSON's form) entry added to `into`. */
function mapEntry(f: Field, into: JsonObject, bytes = false): void {
  let key = ''
  let value = ''
  for (const g of fields(f.bytes ?? Buffer.alloc(0))) {
    if (g.no === 1) key = text(g)
    if (g.no === 2) value = bytes ? (g.bytes ?? Buffer.alloc(0)).toString('base64') : text(g)
  }
  into[key] = value
}

function objectMeta(buf: Buffer): JsonObject {
  const meta: JsonObject = {}
  const labels: JsonObject = {}
  const annotations: JsonObject = {}
  // Go's marshaller writes empty strings for unset fields: an empty one is absent.
  const names: Readonly<Record<number, string>> = { 1: 'name', 2: 'generateName', 3: 'namespace' }
  for (const f of fields(buf)) {
    const key = names[f.no]
    if (key !== undefined && text(f) !== '') meta[key] = text(f)
    else if (f.no === 11) mapEntry(f, labels)
    else if (f.no === 12) mapEntry(f, annotations)
  }
  if (Object.keys(labels).length > 0) meta['labels'] = labels
  if (Object.keys(annotations).length > 0) meta['annotations'] = annotations
  return meta
}

function tokenRequestSpec(buf: Buffer): JsonObject {
  const spec: JsonObject = {}
  const audiences: string[] = []
  const refNames = ['', 'kind', 'apiVersion', 'name', 'uid']
  for (const f of fields(buf)) {
    if (f.no === 1) audiences.push(text(f))
    else if (f.no === 4 && f.varint !== undefined) spec['expirationSeconds'] = f.varint
    else if (f.no === 3) {
      const ref: JsonObject = {}
      for (const g of fields(f.bytes ?? Buffer.alloc(0))) {
        const key = refNames[g.no]
        if (key !== undefined && key !== '') ref[key] = text(g)
      }
      spec['boundObjectRef'] = ref
    }
  }
  if (audiences.length > 0) spec['audiences'] = audiences
  return spec
}

type Decoder = (raw: Buffer, o: JsonObject) => void

/** Per kind: the fields beyond `metadata` (= 1) that a create sends. */
const DECODERS: Readonly<Record<string, Decoder>> = {
  TokenRequest: (raw, o) => {
    for (const f of fields(raw))
      if (f.no === 2) o['spec'] = tokenRequestSpec(f.bytes ?? Buffer.alloc(0))
  },
  Namespace: () => undefined,
  ServiceAccount: (raw, o) => {
    for (const f of fields(raw))
      if (f.no === 4 && f.varint !== undefined) o['automountServiceAccountToken'] = f.varint !== 0
  },
  ConfigMap: (raw, o) => {
    const data: JsonObject = {}
    const binaryData: JsonObject = {}
    for (const f of fields(raw)) {
      if (f.no === 2) mapEntry(f, data)
      if (f.no === 3) mapEntry(f, binaryData, true)
    }
    if (Object.keys(data).length > 0) o['data'] = data
    if (Object.keys(binaryData).length > 0) o['binaryData'] = binaryData
  },
  Secret: (raw, o) => {
    const data: JsonObject = {}
    const stringData: JsonObject = {}
    for (const f of fields(raw)) {
      if (f.no === 2) mapEntry(f, data, true)
      if (f.no === 4) mapEntry(f, stringData)
      if (f.no === 3) o['type'] = text(f)
    }
    if (Object.keys(data).length > 0) o['data'] = data
    if (Object.keys(stringData).length > 0) o['stringData'] = stringData
  },
}

const MAGIC = Buffer.from('k8s\u0000', 'latin1')

/**
 * A protobuf request body as the JSON object it encodes; RangeError when it is not one
 * (no magic, a truncated message) or its kind is not one of those read here.
 */
export function decodeProtobufObject(body: Buffer): JsonObject {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new RangeError('no k8s protobuf magic')
  let apiVersion = ''
  let kind = ''
  let raw: Buffer = Buffer.alloc(0)
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1)
      for (const g of fields(f.bytes ?? Buffer.alloc(0))) {
        if (g.no === 1) apiVersion = text(g)
        if (g.no === 2) kind = text(g)
      }
    if (f.no === 2) raw = f.bytes ?? Buffer.alloc(0)
  }
  const decode = DECODERS[kind]
  if (decode === undefined) throw new RangeError(`protobuf ${kind || 'objects'} are not read here`)
  const object: JsonObject = { apiVersion, kind, metadata: {} }
  for (const f of fields(raw))
    if (f.no === 1) object['metadata'] = objectMeta(f.bytes ?? Buffer.alloc(0))
  decode(raw, object)
  return object
}
