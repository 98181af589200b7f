import { posix } from 'node:path'
import { ANNOTATIONS, annotationKey } from './annotations.js'
import {
  IRSA_TOKEN_PATH,
  IRSA_VOLUME_NAME,
  MIN_TOKEN_EXPIRATION_SECONDS,
  POD_IDENTITY_JITTER_SECONDS,
  isValidFsGroup,
} from './config.js'
import type { MutationConfig } from './config.js'
import { parseCsvFirstRecord, parseGoBool, parseGoInt64 } from './go-parse.js'
import type { PodView, ServiceAccountView } from './pod-view.js'
import { quote } from './warnings.js'

/** IRSA (`AWS_ROLE_ARN` + web identity token) or EKS Pod Identity (container credentials). */
export type IdentityMode = 'irsa' | 'pod-identity'

/** Everything decided about a pod before looking at its containers. */
export interface ResolvedIdentity {
  readonly mode: IdentityMode
  readonly namespace: string
  readonly serviceAccountName: string
  /** IRSA: the role ARN, as annotated. */
  readonly roleArn: string
  /** Pod Identity: the agent's credentials URL. */
  readonly fullUri: string
  readonly audience: string
  /** The token lifetime as configured (pod, ServiceAccount or flag), before any jitter. */
  readonly expirationSeconds: number
  /** Pod Identity with exactly one day: a new volume gets a random lifetime instead. */
  readonly jitter: boolean
  readonly regionalSts: boolean
  /** `''`: inject no region. */
  readonly region: string
  readonly volumeName: string
  readonly mountPath: string
  /** The token file name inside the volume. */
  readonly tokenPath: string
  /** The token file as the containers see it (a `C:\…` path on Windows). */
  readonly tokenFile: string
  readonly windows: boolean
  /** IRSA only: inject `AWS_ROLE_SESSION_NAME`. */
  readonly roleSessionName: boolean
  /** The `fsGroup` to set when the pod sets none. */
  readonly fsGroup: number | undefined
  readonly skipContainers: ReadonlySet<string>
}

/** Why a pod gets no identity. */
export type NoIdentityOutcome = 'no-identity' | 'service-account-missing'

/** The result of {@link resolveIdentity}. */
type IdentityResolution =
  | { readonly identity: ResolvedIdentity; readonly warnings: readonly string[] }
  | {
      readonly identity: undefined
      readonly outcome: NoIdentityOutcome
      readonly warnings: readonly string[]
    }

/** The reference's check; a value that fails it is still used, with a warning. */
const ROLE_ARN_RE = /^arn:aws[a-z0-9-]*:iam::\d{12}:role\/[\w\-/.@+=,]+$/

/** Annotations of the pod that show it expects to be mutated. */
const POD_INTENT = [
  ANNOTATIONS.tokenExpiration,
  ANNOTATIONS.skipContainers,
  ANNOTATIONS.roleSessionName,
  ANNOTATIONS.fsGroup,
]

/** ServiceAccount annotations besides role-arn that only make sense with a role. */
const SA_INTENT = [
  ANNOTATIONS.audience,
  ANNOTATIONS.stsRegionalEndpoints,
  ANNOTATIONS.tokenExpiration,
  ANNOTATIONS.region,
  ANNOTATIONS.roleSessionName,
  ANNOTATIONS.fsGroup,
]

/** Windows pods get the token path as `C:\…`; the reference looks only at nodeSelector. */
function isWindows(pod: PodView): boolean {
  return (
    pod.nodeSelector.get('kubernetes.io/os') === 'windows' ||
    pod.nodeSelector.get('beta.kubernetes.io/os') === 'windows' ||
    pod.osName === 'windows'
  )
}

// The last joined path: every admission of one configuration joins the same two parts.
let joined = { mountPath: '', tokenPath: '', file: '' }

/** `posix.join(mountPath, tokenPath)`, remembered for the last pair. */
function tokenFilePath(mountPath: string, tokenPath: string): string {
  if (joined.mountPath !== mountPath || joined.tokenPath !== tokenPath || joined.file === '')
    joined = { mountPath, tokenPath, file: posix.join(mountPath, tokenPath) }
  return joined.file
}

function windowsPath(path: string): string {
  return 'C:' + path.replaceAll('/', '\\')
}

/**
 * Reads annotations and their precedence; `warn` collects one line per value it ignores
 * or changes, so a user learns why an annotation had no effect.
 */
class AnnotationReader {
  readonly warnings: string[] = []
  readonly #prefix: string
  readonly #subject: string
  readonly #annotations: ReadonlyMap<string, string>

  constructor(prefix: string, subject: string, annotations: ReadonlyMap<string, string>) {
    this.#prefix = prefix
    this.#subject = subject
    this.#annotations = annotations
  }

  key(name: string): string {
    return annotationKey(this.#prefix, name)
  }

  raw(name: string): string | undefined {
    return this.#annotations.get(this.key(name))
  }

  bool(name: string): boolean | undefined {
    const text = this.raw(name)
    if (text === undefined) return undefined
    const value = parseGoBool(text)
    if (value === undefined) this.ignored(name, text, 'is not true or false')
    return value
  }

  expiration(name: string): number | undefined {
    const text = this.raw(name)
    if (text === undefined) return undefined
    const value = parseGoInt64(text)
    if (value === undefined) {
      this.ignored(name, text, 'is not a whole number of seconds')
      return undefined
    }
    if (value < MIN_TOKEN_EXPIRATION_SECONDS) {
      this.warnings.push(
        `${this.#subject} ${this.key(name)} ${value} is below the minimum; ${MIN_TOKEN_EXPIRATION_SECONDS} is used`,
      )
      return MIN_TOKEN_EXPIRATION_SECONDS
    }
    return value
  }

  fsGroup(name: string): number | undefined {
    const text = this.raw(name)
    if (text === undefined) return undefined
    const value = parseGoInt64(text)
    if (value === undefined || !isValidFsGroup(value)) {
      this.ignored(name, text, 'is not a group id')
      return undefined
    }
    return value
  }

  private ignored(name: string, text: string, why: string): void {
    this.warnings.push(`${this.#subject} ${this.key(name)} ${quote(text)} ${why}; it is ignored`)
  }
}

/**
 * `--compose-role-arn`: a role-arn annotation without `arn:` is a role name (or path) in
 * the configured account and partition, as the reference composes it.
 */
function composeRoleArn(value: string, config: MutationConfig): string {
  const compose = config.composeRoleArn
  if (compose === undefined || value === '' || value.startsWith('arn:')) return value
  return `arn:${compose.partition}:iam::${compose.accountId}:role/${value}`
}

/** The first defined value, in precedence order. */
function first<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined)
}

function skipContainers(pod: AnnotationReader): ReadonlySet<string> {
  const text = pod.raw(ANNOTATIONS.skipContainers)
  if (text === undefined) return new Set()
  const names = parseCsvFirstRecord(text)
  if (names === undefined) {
    pod.warnings.push(
      `pod ${pod.key(ANNOTATIONS.skipContainers)} ${quote(text)} is not a comma-separated list; no container is skipped`,
    )
    return new Set()
  }
  return new Set(names)
}

function noRoleWarning(
  config: MutationConfig,
  pod: PodView,
  sa: ServiceAccountView,
  subject: string,
): string | undefined {
  const prefix = config.annotationPrefix
  const roleKey = annotationKey(prefix, ANNOTATIONS.roleArn)
  const consequence = 'the pod gets no AWS identity'
  if (sa.annotations.get(roleKey) === '') {
    return `${subject} has an empty ${roleKey} annotation; ${consequence}`
  }
  const elsewhere = [...sa.annotations.keys()].find(
    (k) => k !== roleKey && /(^|\/)role[-_]?arn$/i.test(k),
  )
  if (elsewhere !== undefined) {
    return `${subject} has no ${roleKey} annotation but has ${elsewhere}; ${consequence}`
  }
  const saIntent = SA_INTENT.map((n) => annotationKey(prefix, n)).find((k) => sa.annotations.has(k))
  if (saIntent !== undefined) {
    return `${subject} has ${saIntent} but no ${roleKey} annotation; ${consequence}`
  }
  const podIntent = POD_INTENT.map((n) => annotationKey(prefix, n)).find((k) =>
    pod.annotations.has(k),
  )
  if (podIntent !== undefined) {
    return `the pod has ${podIntent} but ${subject} has no ${roleKey} annotation; ${consequence}`
  }
  return undefined
}

/**
 * The lifetime a new token volume gets: the configured one, or for Pod Identity's exact
 * day a uniform random whole number of seconds in [79200, 86400] drawn from `config.random`
 * (reference #260). Drawn only when a volume is created, so a reinvocation draws nothing.
 */
export function tokenVolumeExpiration(id: ResolvedIdentity, config: MutationConfig): number {
  if (!id.jitter) return id.expirationSeconds
  const { min, max } = POD_IDENTITY_JITTER_SECONDS
  const r = config.random()
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0
  return min + Math.floor(unit * (max - min + 1))
}

/**
 * Decides whether and how a pod gets an AWS identity, with the reference's precedence:
 * an EKS Pod Identity association beats IRSA; audience and regional STS come from the
 * ServiceAccount, else the flags; the token expiration from the pod, else the
 * ServiceAccount, else the flag (at least 600 s; for Pod Identity only, exactly one day
 * becomes a random 22–24 h, see {@link tokenVolumeExpiration}). irsa adds the region
 * (ServiceAccount, else the flag), `AWS_ROLE_SESSION_NAME` and `fsGroup` (pod, else
 * ServiceAccount, else the flag).
 *
 * `serviceAccount` is `undefined` when it does not exist (or could not be found).
 */
export function resolveIdentity(
  pod: PodView,
  serviceAccount: ServiceAccountView | undefined,
  config: MutationConfig,
): IdentityResolution {
  const namespace = pod.namespace ?? serviceAccount?.namespace ?? ''
  const saName = pod.serviceAccountName
  const subject = `ServiceAccount ${namespace}/${saName}`
  const prefix = config.annotationPrefix
  const podAnn = new AnnotationReader(prefix, 'pod', pod.annotations)
  const saAnn = new AnnotationReader(prefix, subject, serviceAccount?.annotations ?? new Map())

  const podIdentity = config.isPodIdentityAssociated(namespace, saName)
  const roleArn = composeRoleArn(saAnn.raw(ANNOTATIONS.roleArn) ?? '', config)
  if (!podIdentity) {
    if (serviceAccount === undefined) {
      return {
        identity: undefined,
        outcome: 'service-account-missing',
        warnings: [`${subject} was not found; the pod gets no AWS identity`],
      }
    }
    if (roleArn === '') {
      const warning = noRoleWarning(config, pod, serviceAccount, subject)
      return { identity: undefined, outcome: 'no-identity', warnings: warning ? [warning] : [] }
    }
  }

  const warnings: string[] = []
  const mode: IdentityMode = podIdentity ? 'pod-identity' : 'irsa'
  const cc = config.containerCredentials

  let audience = cc.audience
  if (mode === 'irsa') {
    audience = config.tokenAudience
    const annotated = saAnn.raw(ANNOTATIONS.audience)
    if (annotated === '') {
      warnings.push(
        `${subject} ${saAnn.key(ANNOTATIONS.audience)} is empty; ${config.tokenAudience} is used`,
      )
    } else if (annotated !== undefined) {
      audience = annotated
    }
    if (!ROLE_ARN_RE.test(roleArn)) {
      warnings.push(
        `${subject} ${saAnn.key(ANNOTATIONS.roleArn)} ${quote(roleArn)} does not look like an IAM role ARN; it is used as is`,
      )
    }
  }

  const regionalSts = saAnn.bool(ANNOTATIONS.stsRegionalEndpoints) ?? config.stsRegionalEndpoint
  const expirationSeconds =
    first(
      podAnn.expiration(ANNOTATIONS.tokenExpiration),
      saAnn.expiration(ANNOTATIONS.tokenExpiration),
    ) ?? config.tokenExpiration
  const region = saAnn.raw(ANNOTATIONS.region) || config.defaultRegion
  const roleSessionName =
    mode === 'irsa' &&
    (first(podAnn.bool(ANNOTATIONS.roleSessionName), saAnn.bool(ANNOTATIONS.roleSessionName)) ??
      config.roleSessionName)
  const windows = isWindows(pod)
  const fsGroup = first(
    podAnn.fsGroup(ANNOTATIONS.fsGroup),
    saAnn.fsGroup(ANNOTATIONS.fsGroup),
    config.fsGroup,
  )

  const volumeName = mode === 'irsa' ? IRSA_VOLUME_NAME : cc.volumeName
  const mountPath = mode === 'irsa' ? config.tokenMountPath : cc.mountPath
  const tokenPath = mode === 'irsa' ? IRSA_TOKEN_PATH : cc.tokenPath
  const unixFile = tokenFilePath(mountPath, tokenPath)
  const skip = skipContainers(podAnn)

  return {
    identity: {
      mode,
      namespace,
      serviceAccountName: saName,
      roleArn: mode === 'irsa' ? roleArn : '',
      fullUri: mode === 'pod-identity' ? cc.fullUri : '',
      audience,
      expirationSeconds,
      jitter: mode === 'pod-identity' && expirationSeconds === POD_IDENTITY_JITTER_SECONDS.max,
      regionalSts,
      region,
      volumeName,
      mountPath,
      tokenPath,
      tokenFile: windows ? windowsPath(unixFile) : unixFile,
      windows,
      roleSessionName,
      // Kubernetes rejects fsGroup on Windows pods (spec.os.name) and ignores it there.
      fsGroup: windows ? undefined : fsGroup,
      skipContainers: skip,
    },
    warnings: [...warnings, ...saAnn.warnings, ...podAnn.warnings],
  }
}
