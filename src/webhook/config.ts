import { InputError } from '../core/index.js'

/** The reference's `--token-expiration` default: one day. */
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 86400

/**
 * The reference webhook's defaults, typed once: {@link createMutationConfig} fills them
 * in and `irsa webhook`'s flags show them.
 */
export const DEFAULT_MUTATION = {
  annotationPrefix: 'eks.amazonaws.com',
  tokenAudience: 'sts.amazonaws.com',
  tokenMountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
  tokenExpiration: DEFAULT_TOKEN_EXPIRATION_SECONDS,
  unresolvedEnvFrom: 'override',
} as const

/** Kubernetes refuses projected tokens shorter than ten minutes; shorter values become this. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600

/**
 * EKS Pod Identity tokens of exactly one day get a random lifetime in this range
 * (inclusive), so a fleet's tokens do not all refresh at the same moment (reference #260).
 */
export const POD_IDENTITY_JITTER_SECONDS = { min: 79200, max: 86400 } as const

/** The IRSA volume and the token file inside it (hard-coded in the reference too). */
export const IRSA_VOLUME_NAME = 'aws-iam-token'
/** The IRSA token file name inside {@link IRSA_VOLUME_NAME}. */
export const IRSA_TOKEN_PATH = 'token'

/** The `--container-credentials-*` flags: where EKS Pod Identity's token and agent are. */
export interface ContainerCredentialsConfig {
  /** `--container-credentials-full-uri`: the Pod Identity agent's credentials URL. */
  readonly fullUri: string
  /** `--container-credentials-audience`. */
  readonly audience: string
  /** `--container-credentials-token-mount-path`. */
  readonly mountPath: string
  /** `--container-credentials-token-volume-name`. */
  readonly volumeName: string
  /** `--container-credentials-token-path`: the token file name inside the volume. */
  readonly tokenPath: string
}

/** The reference's defaults for {@link ContainerCredentialsConfig}. */
export const DEFAULT_CONTAINER_CREDENTIALS: ContainerCredentialsConfig = {
  fullUri: 'http://169.254.170.23/v1/credentials',
  audience: 'pods.eks.amazonaws.com',
  mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',
  volumeName: 'eks-pod-identity-token',
  tokenPath: 'eks-pod-identity-token',
}

/** A ConfigMap or Secret a container's `envFrom` names. */
export interface EnvFromSourceRef {
  readonly kind: 'ConfigMap' | 'Secret'
  readonly name: string
  readonly optional: boolean
}

/**
 * The keys a ConfigMap or Secret in `namespace` holds, or `undefined` when they are not
 * known (not cached, not readable, not found). A source known to be absent is `[]`.
 */
type EnvFromResolver = (
  namespace: string,
  source: EnvFromSourceRef,
) => readonly string[] | undefined

/**
 * What to do with a variable the webhook would inject when an `envFrom` source whose keys
 * are unknown could also set it. Kubernetes gives `env` precedence over `envFrom`, so an
 * injected entry silently wins over the source's value.
 *
 * - `override` (default, the reference's behaviour): inject it, and warn.
 * - `keep`: do not inject `AWS_STS_REGIONAL_ENDPOINTS`, the region pair or
 *   `AWS_ROLE_SESSION_NAME` when the source could set them, and warn. The identity pair is
 *   always injected: a pod without it has no AWS identity at all.
 */
export type UnresolvedEnvFromPolicy = 'override' | 'keep'

/** Every {@link UnresolvedEnvFromPolicy}. */
const UNRESOLVED_ENV_FROM_POLICIES: readonly UnresolvedEnvFromPolicy[] = ['override', 'keep']

/** Everything the mutation depends on besides the pod and its ServiceAccount. */
export interface MutationConfig {
  /** `--annotation-prefix`. */
  readonly annotationPrefix: string
  /** `--token-audience`: the IRSA audience unless the ServiceAccount names one. */
  readonly tokenAudience: string
  /** `--token-mount-path`: where the IRSA volume is mounted. */
  readonly tokenMountPath: string
  /** `--token-expiration`, already raised to at least {@link MIN_TOKEN_EXPIRATION_SECONDS}. */
  readonly tokenExpiration: number
  /** `--aws-default-region`; `''` injects no region unless a ServiceAccount names one. */
  readonly defaultRegion: string
  /** `--sts-regional-endpoint`. */
  readonly stsRegionalEndpoint: boolean
  /** The EKS Pod Identity (container credentials) settings. */
  readonly containerCredentials: ContainerCredentialsConfig
  /** Whether `namespace/name` has an EKS Pod Identity association (beats IRSA). */
  readonly isPodIdentityAssociated: (namespace: string, serviceAccountName: string) => boolean
  /** A uniform random number in [0, 1), for the Pod Identity expiration jitter. */
  readonly random: () => number
  /** `--role-session-name`: inject `AWS_ROLE_SESSION_NAME` (the pod name) in IRSA mode. */
  readonly roleSessionName: boolean
  /** `--fs-group`: the `fsGroup` to set on mutated pods that set none; `undefined` = never. */
  readonly fsGroup: number | undefined
  /** Keys of `envFrom` sources, when the server can know them. */
  readonly resolveEnvFrom: EnvFromResolver | undefined
  /** `--env-from-unresolved`. */
  readonly unresolvedEnvFrom: UnresolvedEnvFromPolicy
  /** `--compose-role-arn`: the account and partition for role-arn values without `arn:`. */
  readonly composeRoleArn: ComposeRoleArn | undefined
}

/** Where a bare role name in a role-arn annotation lives. */
interface ComposeRoleArn {
  /** The 12-digit AWS account id. */
  readonly accountId: string
  /** `aws`, `aws-cn`, … (see {@link partitionForRegion}). */
  readonly partition: string
}

/**
 * The partition of a region, by the reference's prefixes: `cn-` → `aws-cn`, `us-gov-` →
 * `aws-us-gov`, `us-iso-` → `aws-iso`, `us-isob-` → `aws-iso-b`, `eusc-` → `aws-eusc`,
 * anything else → `aws`.
 */
export function partitionForRegion(region: string): string {
  const prefixes: [string, string][] = [
    ['cn-', 'aws-cn'],
    ['us-gov-', 'aws-us-gov'],
    ['us-iso-', 'aws-iso'],
    ['us-isob-', 'aws-iso-b'],
    ['eusc-', 'aws-eusc'],
  ]
  return prefixes.find(([p]) => region.startsWith(p))?.[1] ?? 'aws'
}

/** Options for {@link createMutationConfig}; every one has the reference's default. */
export interface MutationOptions {
  readonly annotationPrefix?: string
  readonly tokenAudience?: string
  readonly tokenMountPath?: string
  readonly tokenExpiration?: number
  readonly defaultRegion?: string
  readonly stsRegionalEndpoint?: boolean
  readonly containerCredentials?: Partial<ContainerCredentialsConfig>
  readonly isPodIdentityAssociated?: (namespace: string, serviceAccountName: string) => boolean
  readonly random?: () => number
  readonly roleSessionName?: boolean
  readonly fsGroup?: number | undefined
  readonly resolveEnvFrom?: EnvFromResolver | undefined
  readonly unresolvedEnvFrom?: UnresolvedEnvFromPolicy
  readonly composeRoleArn?: ComposeRoleArn | undefined
}

/** The largest group id Kubernetes accepts for `fsGroup`. */
export const MAX_FS_GROUP = 2147483647

function checkAbsolute(flag: string, path: string): string {
  if (!path.startsWith('/')) throw new InputError(`${flag} must be an absolute path, got "${path}"`)
  return path
}

function checkNonEmpty(flag: string, value: string): string {
  if (value === '') throw new InputError(`${flag} must not be empty`)
  return value
}

/** Whether `n` is a valid `fsGroup`. */
export function isValidFsGroup(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_FS_GROUP
}

/**
 * A complete {@link MutationConfig} from options, with the reference's defaults. Like the
 * reference at startup, a token expiration below 600 seconds becomes 600. Invalid values
 * are an {@link InputError} naming the flag.
 */
export function createMutationConfig(options: MutationOptions = {}): MutationConfig {
  const prefix = options.annotationPrefix ?? DEFAULT_MUTATION.annotationPrefix
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(prefix)) {
    throw new InputError(
      `--annotation-prefix must be a DNS name such as eks.amazonaws.com, got "${prefix}"`,
    )
  }
  const expiration = options.tokenExpiration ?? DEFAULT_MUTATION.tokenExpiration
  if (!Number.isSafeInteger(expiration)) {
    throw new InputError(`--token-expiration must be a whole number of seconds, got ${expiration}`)
  }
  const fsGroup = options.fsGroup
  if (fsGroup !== undefined && !isValidFsGroup(fsGroup)) {
    throw new InputError(`--fs-group must be a group id from 0 to ${MAX_FS_GROUP}, got ${fsGroup}`)
  }
  const cc = { ...DEFAULT_CONTAINER_CREDENTIALS, ...options.containerCredentials }
  const policy = options.unresolvedEnvFrom ?? DEFAULT_MUTATION.unresolvedEnvFrom
  if (!UNRESOLVED_ENV_FROM_POLICIES.includes(policy)) {
    throw new InputError(`--env-from-unresolved must be override or keep, got "${policy}"`)
  }
  const compose = options.composeRoleArn
  if (compose !== undefined) {
    if (!/^\d{12}$/.test(compose.accountId)) {
      throw new InputError(
        `--compose-role-arn needs a 12-digit account id, got "${compose.accountId}"`,
      )
    }
    if (!/^aws[a-z0-9-]*$/.test(compose.partition)) {
      throw new InputError(
        `--compose-role-arn needs a partition such as aws, got "${compose.partition}"`,
      )
    }
  }
  return {
    annotationPrefix: prefix,
    tokenAudience: options.tokenAudience ?? DEFAULT_MUTATION.tokenAudience,
    tokenMountPath: checkAbsolute(
      '--token-mount-path',
      options.tokenMountPath ?? DEFAULT_MUTATION.tokenMountPath,
    ),
    tokenExpiration: Math.max(expiration, MIN_TOKEN_EXPIRATION_SECONDS),
    defaultRegion: options.defaultRegion ?? '',
    stsRegionalEndpoint: options.stsRegionalEndpoint ?? false,
    containerCredentials: {
      fullUri: checkNonEmpty('--container-credentials-full-uri', cc.fullUri),
      audience: cc.audience,
      mountPath: checkAbsolute('--container-credentials-token-mount-path', cc.mountPath),
      volumeName: checkNonEmpty('--container-credentials-token-volume-name', cc.volumeName),
      tokenPath: checkNonEmpty('--container-credentials-token-path', cc.tokenPath),
    },
    isPodIdentityAssociated: options.isPodIdentityAssociated ?? (() => false),
    random: options.random ?? Math.random,
    roleSessionName: options.roleSessionName ?? false,
    fsGroup,
    resolveEnvFrom: options.resolveEnvFrom,
    unresolvedEnvFrom: policy,
    composeRoleArn: compose,
  }
}
