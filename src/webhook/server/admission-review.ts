import type { JsonPatchOperation } from '../json-patch.js'
import type { Pod } from '../types.js'

/** The AdmissionReview versions the server speaks (kube-apiserver sends one it lists). */
const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const

/** One of {@link ADMISSION_API_VERSIONS}. */
type AdmissionApiVersion = (typeof ADMISSION_API_VERSIONS)[number]

/** What the server needs from an AdmissionReview request. */
export interface AdmissionRequestView {
  readonly apiVersion: AdmissionApiVersion
  readonly uid: string
  /** `request.namespace`: the pod's namespace when the pod itself names none. */
  readonly namespace: string | undefined
  /** `request.operation` (`CREATE`, …); undefined when absent. */
  readonly operation: string | undefined
  /** `request.kind.kind` (`Pod`); undefined when absent. */
  readonly kind: string | undefined
  /** `request.object` when it is a JSON object. */
  readonly object: Pod | undefined
}

/** Why a body is not an AdmissionReview the server can answer (a 400 with this text). */
export class MalformedReviewError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MalformedReviewError'
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Reads a parsed JSON body as an AdmissionReview request. Throws
 * {@link MalformedReviewError} (one line, safe to return to the caller) when it is not one:
 * not an object, an unknown `apiVersion`, a `kind` other than `AdmissionReview`, no
 * `request`, or no `request.uid`.
 */
export function readAdmissionReview(body: unknown): AdmissionRequestView {
  if (!isRecord(body)) throw new MalformedReviewError('the body is not a JSON object')
  const apiVersion = body['apiVersion']
  if (!ADMISSION_API_VERSIONS.includes(apiVersion as AdmissionApiVersion)) {
    throw new MalformedReviewError(
      `apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, got ${describe(apiVersion)}`,
    )
  }
  if (body['kind'] !== 'AdmissionReview') {
    throw new MalformedReviewError(`kind must be AdmissionReview, got ${describe(body['kind'])}`)
  }
  const request = body['request']
  if (!isRecord(request)) throw new MalformedReviewError('the AdmissionReview has no request')
  const uid = request['uid']
  if (typeof uid !== 'string' || uid === '') {
    throw new MalformedReviewError('request.uid is missing or empty')
  }
  const kind = request['kind']
  const object = request['object']
  return {
    apiVersion: apiVersion as AdmissionApiVersion,
    uid,
    namespace: typeof request['namespace'] === 'string' ? request['namespace'] : undefined,
    operation: typeof request['operation'] === 'string' ? request['operation'] : undefined,
    kind: isRecord(kind) && typeof kind['kind'] === 'string' ? kind['kind'] : undefined,
    object: isRecord(object) ? object : undefined,
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing'
  const text = typeof v === 'string' ? JSON.stringify(v) : typeof v
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

// The constant parts of every response, rendered once.
const HEAD: Readonly<Record<AdmissionApiVersion, string>> = {
  'admission.k8s.io/v1':
    '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":',
  'admission.k8s.io/v1beta1':
    '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","response":{"uid":',
}
const ALLOWED = ',"allowed":true'
const PATCH = ',"patchType":"JSONPatch","patch":"'
const WARNINGS = ',"warnings":'
const TAIL = '}}'

/**
 * The AdmissionReview response for `uid`, in the request's `apiVersion`, always
 * `allowed: true`; `patchType` and the base64 `patch` only when there are operations;
 * `warnings` only when there are some.
 */
export function renderAdmissionResponse(
  apiVersion: AdmissionApiVersion,
  uid: string,
  patch: readonly JsonPatchOperation[],
  warnings: readonly string[],
): string {
  let out = HEAD[apiVersion] + JSON.stringify(uid) + ALLOWED
  if (patch.length > 0) {
    out += PATCH + Buffer.from(JSON.stringify(patch), 'utf8').toString('base64') + '"'
  }
  if (warnings.length > 0) out += WARNINGS + JSON.stringify(warnings)
  return out + TAIL
}

/**
 * An AdmissionReview response that denies the object: `allowed: false` with a
 * `metav1.Status` `result`, whose `message` kube-apiserver returns to the client after
 * `admission webhook "…" denied the request: ` and whose `code` it uses as the status.
 */
export function renderAdmissionDenial(
  apiVersion: AdmissionApiVersion,
  uid: string,
  status: { readonly code: number; readonly reason: string; readonly message: string },
): string {
  const result = JSON.stringify({
    status: 'Failure',
    message: status.message,
    reason: status.reason,
    code: status.code,
  })
  return HEAD[apiVersion] + JSON.stringify(uid) + ',"allowed":false,"result":' + result + TAIL
}
