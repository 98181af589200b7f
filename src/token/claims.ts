/** A reference to a Kubernetes object in a token: `{name, uid}` (uid left out when unknown). */
interface ObjectRefClaim {
  readonly name: string
  readonly uid?: string
}

/** The private `kubernetes.io` claim of a service-account token. */
export interface KubernetesClaims {
  readonly namespace: string
  /** The node: of a pod-bound token (the pod's node), or of a node-bound token. */
  readonly node?: ObjectRefClaim
  readonly pod?: ObjectRefClaim
  readonly secret?: ObjectRefClaim
  readonly serviceaccount: ObjectRefClaim
  /** Extended `kube-api-access-*` tokens only: when use starts to be reported as stale. */
  readonly warnafter?: number
}

/** The claims of a service-account token, as kube-apiserver ≥ 1.32 issues them. */
export interface ServiceAccountTokenClaims {
  /** Always an array, even with one audience. */
  readonly aud: readonly string[]
  readonly exp: number
  readonly iat: number
  readonly iss: string
  readonly jti: string
  readonly 'kubernetes.io': KubernetesClaims
  /** Equal to `iat`. */
  readonly nbf: number
  /** `system:serviceaccount:NAMESPACE:NAME`. */
  readonly sub: string
}

/** The header of a service-account token: `alg` and `kid`, nothing else (no `typ`). */
export interface ServiceAccountTokenHeader {
  readonly alg: string
  readonly kid: string
}

/** The username (and `sub`) of a service account: `system:serviceaccount:NS:NAME`. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`
}

/** `{name, uid}` with the uid left out when empty, as Go's `omitempty` does. */
export function refClaim(name: string, uid: string | undefined): ObjectRefClaim {
  return uid === undefined || uid === '' ? { name } : { name, uid }
}
