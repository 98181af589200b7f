/**
 * kube-apiserver's errors: `Status` objects (`kind: Status`, `status: Failure`) with the
 * reasons, HTTP codes and messages of k8s.io/apimachinery `pkg/api/errors/errors.go`
 * (`NewNotFound`, `NewAlreadyExists`, `NewConflict`, `NewInvalid`, `NewForbidden`, …) and
 * field errors as `pkg/util/validation/field/errors.go` words them. One registry
 * ({@link KUBE_STATUS}), documented in docs/errors.md (a test keeps them in step).
 */

/** A resource as kube-apiserver names it in messages: `pods`, `deployments.apps`. */
export interface GroupResource {
  readonly group: string
  readonly resource: string
}

/** One cause of an `Invalid` (or another) Status. */
export interface StatusCause {
  readonly reason?: string
  readonly message: string
  readonly field?: string
}

/** A `Status` object as kube-apiserver writes it. */
export interface KubeStatus {
  readonly kind: 'Status'
  readonly apiVersion: 'v1'
  readonly metadata: Record<string, never>
  readonly status: 'Failure'
  readonly message: string
  readonly reason: string
  readonly details?: {
    readonly name?: string
    readonly group?: string
    readonly kind?: string
    readonly causes?: readonly StatusCause[]
  }
  readonly code: number
}

/** One error of the registry: the Status reason, the HTTP code, the message template. */
export interface StatusEntry {
  readonly reason: string
  readonly code: number
  /** `{resource}` `{name}` `{kind}` `{detail}` are filled in. */
  readonly message: string
}

/** Every error the Kubernetes API answers, by name. */
export const KUBE_STATUS = {
  NotFound: { reason: 'NotFound', code: 404, message: '{resource} "{name}" not found' },
  NoSuchResource: {
    reason: 'NotFound',
    code: 404,
    message: 'the server could not find the requested resource',
  },
  AlreadyExists: {
    reason: 'AlreadyExists',
    code: 409,
    message: '{resource} "{name}" already exists',
  },
  Conflict: {
    reason: 'Conflict',
    code: 409,
    message: 'Operation cannot be fulfilled on {resource} "{name}": {detail}',
  },
  Invalid: { reason: 'Invalid', code: 422, message: '{kind} "{name}" is invalid: {detail}' },
  Forbidden: {
    reason: 'Forbidden',
    code: 403,
    message: '{resource} "{name}" is forbidden: {detail}',
  },
  Unauthorized: { reason: 'Unauthorized', code: 401, message: 'Unauthorized' },
  Expired: { reason: 'Expired', code: 410, message: 'too old resource version: {detail}' },
  BadRequest: { reason: 'BadRequest', code: 400, message: '{detail}' },
  MethodNotAllowed: {
    reason: 'MethodNotAllowed',
    code: 405,
    message: '{detail} is not supported on resources of kind "{resource}"',
  },
  UnsupportedMediaType: {
    reason: 'UnsupportedMediaType',
    code: 415,
    message:
      'the body of the request was in an unknown format - accepted media types include: {detail}',
  },
  RequestEntityTooLarge: {
    reason: 'RequestEntityTooLarge',
    code: 413,
    message: 'Request entity too large: {detail}',
  },
  InternalError: {
    reason: 'InternalError',
    code: 500,
    message: 'Internal error occurred: {detail}',
  },
} as const satisfies Record<string, StatusEntry>

export type KubeStatusName = keyof typeof KUBE_STATUS

/** What fills a message template. */
export interface StatusParams {
  readonly resource?: GroupResource
  readonly name?: string
  /** `Pod`, `ServiceAccount`, `Deployment.apps` (for Invalid). */
  readonly kind?: string
  readonly detail?: string
  readonly causes?: readonly StatusCause[]
}

/** `pods`, or `deployments.apps`: kube-apiserver's `GroupResource.String()`. */
export function qualified(r: GroupResource): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`
}

/** An error carrying the Status it answers as. */
export class KubeApiError extends Error {
  readonly status: KubeStatus

  constructor(status: KubeStatus) {
    super(status.message)
    this.name = 'KubeApiError'
    this.status = status
  }
}

function fill(template: string, p: StatusParams): string {
  return template.replace(/\{(resource|name|kind|detail)\}/g, (_m, key: string) => {
    if (key === 'resource') return p.resource === undefined ? '' : qualified(p.resource)
    if (key === 'name') return p.name ?? ''
    if (key === 'kind') return p.kind ?? ''
    return p.detail ?? ''
  })
}

/** The Status of registry entry `name` with `params`. */
export function kubeStatus(name: KubeStatusName, params: StatusParams = {}): KubeStatus {
  const entry: StatusEntry = KUBE_STATUS[name]
  const details = {
    ...(params.name !== undefined ? { name: params.name } : {}),
    ...(params.resource !== undefined && params.resource.group !== ''
      ? { group: params.resource.group }
      : {}),
    ...(params.resource !== undefined
      ? { kind: params.resource.resource }
      : params.kind !== undefined
        ? { kind: params.kind }
        : {}),
    ...(params.causes !== undefined ? { causes: params.causes } : {}),
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: fill(entry.message, params),
    reason: entry.reason,
    ...(Object.keys(details).length > 0 ? { details } : {}),
    code: entry.code,
  }
}

/** Throws nothing: builds the error to throw for registry entry `name`. */
export function kubeError(name: KubeStatusName, params: StatusParams = {}): KubeApiError {
  return new KubeApiError(kubeStatus(name, params))
}

/** A field error, worded as `field.Error.Error()`: `metadata.name: Invalid value: "X": …`. */
export interface FieldError {
  readonly type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported'
  readonly field: string
  readonly value?: string | number | boolean
  readonly detail?: string
}

const FIELD_WORDS: Readonly<Record<FieldError['type'], string>> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
}

function fieldBody(e: FieldError): string {
  let s = FIELD_WORDS[e.type]
  if (e.type !== 'FieldValueRequired' && e.value !== undefined)
    s += `: ${typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value)}`
  return e.detail === undefined || e.detail === '' ? s : `${s}: ${e.detail}`
}

/**
 * `Invalid` (422) for `kind` `name` with field errors: one error reads as itself, several
 * as `[a, b]` (apimachinery's aggregate), each also a cause with its field.
 */
export function invalid(kind: string, name: string, errors: readonly FieldError[]): KubeApiError {
  const lines = [...new Set(errors.map((e) => `${e.field}: ${fieldBody(e)}`))]
  const detail = lines.length === 1 ? (lines[0] ?? '') : `[${lines.join(', ')}]`
  return kubeError('Invalid', {
    kind,
    name,
    detail,
    causes: errors.map((e) => ({ reason: e.type, message: fieldBody(e), field: e.field })),
  })
}
