import { parsePointer } from './json-pointer.js'
import type { JsonPatchOperation } from './json-patch.js'

/**
 * Default bound on the patched pod: 3 MiB of JSON, kube-apiserver's own limit on a
 * request body. No client can send a pod that large, and etcd's default limit (1.5 MiB,
 * `--max-request-bytes`) applies to the protobuf encoding, which for a pod is well over
 * half its JSON size: a pod the webhook would grow past 3 MiB cannot be stored by a
 * cluster with default limits anyway.
 */
export const DEFAULT_MAX_PATCHED_POD_BYTES = 3 * 1024 * 1024

/**
 * An upper bound, in bytes, on the JSON of `pod` after `patch`, given `podBytes`, the
 * UTF-8 size of the pod's JSON. Pure and linear in the patch, without applying it.
 *
 * Each `add` or `replace` grows the document by at most its value, its member name (when
 * the parent is an object: quotes and colon) and one comma; the bound counts all of them
 * for every such operation, so it overestimates by a few bytes an operation (the pointer
 * token of an array append, `-`, is counted as a name). `remove` and `test` never grow a
 * document; a `move` or `copy` (the mutation sends neither) counts as the whole document
 * again, which bounds any value it could take.
 *
 * With `stopAbove`, it returns as soon as the bound exceeds it (a value over `stopAbove`,
 * not the whole bound), so checking a huge patch against a limit costs about the limit.
 */
export function patchedPodBytesBound(
  podBytes: number,
  patch: readonly JsonPatchOperation[],
  stopAbove = Infinity,
): number {
  let bytes = podBytes
  for (const op of patch) {
    if (bytes > stopAbove) return bytes
    switch (op.op) {
      case 'add':
      case 'replace': {
        const name = parsePointer(op.path).at(-1) ?? ''
        bytes += utf8Bytes(JSON.stringify(op.value)) + utf8Bytes(JSON.stringify(name)) + 2
        break
      }
      case 'move':
      case 'copy':
        bytes += bytes + utf8Bytes(JSON.stringify(parsePointer(op.path).at(-1) ?? '')) + 2
        break
      case 'remove':
      case 'test':
        break
    }
  }
  return bytes
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
