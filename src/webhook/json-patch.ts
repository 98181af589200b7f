import { WebhookError } from './errors.js'
import { parsePointer } from './json-pointer.js'
import type { JsonObject, JsonValue } from './types.js'

/**
 * JSON Patch (RFC 6902): the six operations, a validator for untrusted patch documents
 * and an applier. The applier is used by tests (to judge a patch by the pod it produces)
 * and by the local stack, which stores pods as the webhook left them.
 */

/** `add`, `replace` and `test` carry a value. */
interface JsonPatchValueOperation {
  readonly op: 'add' | 'replace' | 'test'
  readonly path: string
  readonly value: JsonValue
}

/** `remove` names only its target. */
interface JsonPatchRemoveOperation {
  readonly op: 'remove'
  readonly path: string
}

/** `move` and `copy` take the value at `from`. */
interface JsonPatchFromOperation {
  readonly op: 'move' | 'copy'
  readonly from: string
  readonly path: string
}

/** One JSON Patch operation. */
export type JsonPatchOperation =
  JsonPatchValueOperation | JsonPatchRemoveOperation | JsonPatchFromOperation

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])

function invalid(index: number, why: string): WebhookError {
  return new WebhookError('ERR_JSON_PATCH_INVALID', `JSON Patch operation ${index}: ${why}`)
}

function failed(index: number, why: string): WebhookError {
  return new WebhookError('ERR_JSON_PATCH_FAILED', `JSON Patch operation ${index}: ${why}`)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Validates an untrusted JSON Patch document (for example one parsed from an
 * AdmissionReview or a fixture) and returns it typed. Members an operation does not use
 * are ignored, as RFC 6902 §4 asks; a missing `value`, `path` or `from`, an unknown `op`
 * or a malformed pointer is an `ERR_JSON_PATCH_INVALID` error.
 */
export function parseJsonPatch(input: unknown): JsonPatchOperation[] {
  if (!Array.isArray(input)) {
    throw new WebhookError('ERR_JSON_PATCH_INVALID', 'a JSON Patch document is a JSON array')
  }
  return input.map((raw: unknown, i): JsonPatchOperation => {
    if (!isObject(raw)) throw invalid(i, 'is not an object')
    const op = raw['op']
    const path = raw['path']
    if (typeof op !== 'string' || !OPS.has(op)) throw invalid(i, `unknown op ${JSON.stringify(op)}`)
    if (typeof path !== 'string') throw invalid(i, 'has no "path" string')
    checkPointer(i, path)
    switch (op) {
      case 'add':
      case 'replace':
      case 'test': {
        if (!Object.hasOwn(raw, 'value')) throw invalid(i, `"${op}" has no "value"`)
        return { op, path, value: toJson(i, raw['value']) }
      }
      case 'move':
      case 'copy': {
        const from = raw['from']
        if (typeof from !== 'string') throw invalid(i, `"${op}" has no "from" string`)
        checkPointer(i, from)
        return { op, from, path }
      }
      default:
        return { op: 'remove', path }
    }
  })
}

function checkPointer(i: number, pointer: string): void {
  try {
    parsePointer(pointer)
  } catch (e) {
    throw invalid(i, e instanceof Error ? e.message : String(e))
  }
}

function toJson(i: number, value: unknown): JsonValue {
  const text = JSON.stringify(value) as string | undefined
  if (text === undefined) throw invalid(i, 'has a value that is not JSON')
  return JSON.parse(text) as JsonValue
}

/** A deep copy of a JSON-compatible value (undefined members are dropped, as JSON would). */
function cloneJson(value: unknown): JsonValue {
  const text = JSON.stringify(value) as string | undefined
  if (text === undefined) {
    throw new WebhookError('ERR_JSON_PATCH_INVALID', 'the document is not a JSON value')
  }
  return JSON.parse(text) as JsonValue
}

/** An array index token: `0` or digits without a leading zero (RFC 6901 §4). */
function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined
}

/** Sets an own property without ever touching a prototype (`__proto__` is just a key). */
function setMember(obj: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
}

function getAt(doc: JsonValue, tokens: readonly string[], i: number, pointer: string): JsonValue {
  let cur: JsonValue = doc
  for (const token of tokens) {
    if (Array.isArray(cur)) {
      const idx = arrayIndex(token)
      if (idx === undefined || idx >= cur.length) throw failed(i, `path ${pointer} does not exist`)
      cur = cur[idx] as JsonValue
    } else if (isObject(cur) && Object.hasOwn(cur, token)) {
      cur = cur[token] as JsonValue
    } else {
      throw failed(i, `path ${pointer} does not exist`)
    }
  }
  return cur
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, k) => deepEqual(x, b[k] as JsonValue))
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k] as JsonValue, b[k] as JsonValue))
  }
  return false
}

/** The document while a patch is applied; the root may be replaced by `add`/`replace` at "". */
interface Doc {
  root: JsonValue
}

function parentOf(doc: Doc, tokens: string[], i: number, pointer: string): JsonValue {
  return getAt(doc.root, tokens.slice(0, -1), i, pointer)
}

function add(doc: Doc, pointer: string, value: JsonValue, i: number): void {
  const tokens = parsePointer(pointer)
  const key = tokens.at(-1)
  if (key === undefined) {
    doc.root = value
    return
  }
  const parent = parentOf(doc, tokens, i, pointer)
  if (Array.isArray(parent)) {
    if (key === '-') {
      parent.push(value)
      return
    }
    const idx = arrayIndex(key)
    if (idx === undefined || idx > parent.length) {
      throw failed(i, `index ${JSON.stringify(key)} is out of range at ${pointer}`)
    }
    parent.splice(idx, 0, value)
  } else if (isObject(parent)) {
    setMember(parent, key, value)
  } else {
    throw failed(i, `the parent of ${pointer} is not an object or array`)
  }
}

function remove(doc: Doc, pointer: string, i: number): JsonValue {
  const tokens = parsePointer(pointer)
  const key = tokens.at(-1)
  if (key === undefined) throw failed(i, 'cannot remove the whole document')
  const parent = parentOf(doc, tokens, i, pointer)
  const old = getAt(doc.root, tokens, i, pointer)
  if (Array.isArray(parent)) parent.splice(Number(key), 1)
  else if (isObject(parent)) Reflect.deleteProperty(parent, key)
  return old
}

function replace(doc: Doc, pointer: string, value: JsonValue, i: number): void {
  const tokens = parsePointer(pointer)
  const key = tokens.at(-1)
  getAt(doc.root, tokens, i, pointer) // the target must exist
  if (key === undefined) {
    doc.root = value
    return
  }
  const parent = parentOf(doc, tokens, i, pointer)
  if (Array.isArray(parent)) parent[Number(key)] = value
  else if (isObject(parent)) setMember(parent, key, value)
}

/**
 * Applies `ops` in order to a deep copy of `document` and returns the result; `document`
 * itself is never changed, and a failing operation throws without a partial result.
 * Array indexes follow RFC 6901 (no leading zeros; `-` appends, for `add` only); object
 * members are own properties, so `__proto__` is an ordinary key.
 */
export function applyJsonPatch(document: unknown, ops: readonly JsonPatchOperation[]): JsonValue {
  const doc: Doc = { root: cloneJson(document) }
  ops.forEach((op, i) => {
    switch (op.op) {
      case 'add':
        add(doc, op.path, cloneJson(op.value), i)
        break
      case 'remove':
        remove(doc, op.path, i)
        break
      case 'replace':
        replace(doc, op.path, cloneJson(op.value), i)
        break
      case 'test': {
        const actual = getAt(doc.root, parsePointer(op.path), i, op.path)
        if (!deepEqual(actual, op.value)) throw failed(i, `test failed at ${op.path}`)
        break
      }
      case 'move': {
        if (op.from === op.path) {
          getAt(doc.root, parsePointer(op.from), i, op.from)
          break
        }
        if (op.path.startsWith(op.from + '/')) {
          throw failed(i, `cannot move ${op.from} into its own child ${op.path}`)
        }
        add(doc, op.path, remove(doc, op.from, i), i)
        break
      }
      case 'copy':
        add(doc, op.path, cloneJson(getAt(doc.root, parsePointer(op.from), i, op.from)), i)
        break
    }
  })
  return doc.root
}
