import type { JsonObject } from '../webhook/index.js'

/** Where doctor started: the flags that say what to diagnose. */
export type DoctorStart =
  | {
      readonly kind: 'serviceAccount'
      readonly namespace: string
      readonly serviceAccount: string
    }
  | { readonly kind: 'pod'; readonly namespace: string; readonly pod: string }
  | { readonly kind: 'token'; readonly file: string; readonly roleArn: string }
  | { readonly kind: 'requestId'; readonly requestId: string }

/** A lookup: the thing, its absence, or why it could not be asked. */
export type Lookup<T> =
  | { readonly state: 'found'; readonly value: T }
  | { readonly state: 'missing'; readonly why?: string }
  | { readonly state: 'unknown'; readonly why: string }

/** A fetch over HTTPS: the JSON, or why not, with how long it took. */
export type Fetched =
  | {
      readonly ok: true
      readonly url: string
      readonly value: unknown
      readonly ms: number
      /**
       * Set when no trusted CA verifies the chain: the document was read from the server
       * that sent a last certificate of this SHA-1 thumbprint (STS then trusts the server
       * only when a thumbprint of its chain is on the provider's list: provider.thumbprint).
       */
      readonly pinned?: string
    }
  | {
      readonly ok: false
      readonly url: string
      readonly error: string
      /** `unreachable`, `untrusted` or `invalid`. */
      readonly failure: string
      readonly ms: number
    }

/** One certificate of a chain, as doctor shows it. */
export interface CertFact {
  readonly subject: string
  readonly issuer: string
  readonly sha1: string
}

/** The TLS chain the JWKS host sent, and whether it is trusted. */
export interface TlsFact {
  readonly host: string
  readonly chain: readonly CertFact[]
  /** SHA-1 of the last certificate sent: the thumbprint IAM compares. */
  readonly thumbprint: string
}

/** An IAM OIDC provider, as GetOpenIDConnectProvider answers. */
export interface ProviderFact {
  readonly arn: string
  /** As IAM keeps it: the issuer without `https://`. */
  readonly url: string
  readonly clientIds: readonly string[]
  readonly thumbprints: readonly string[]
}

/** An IAM role, as GetRole answers. */
export interface RoleFact {
  readonly arn: string
  readonly name: string
  readonly trustPolicy: string
  readonly maxSessionDuration: number
}

/** The result of a real AssumeRoleWithWebIdentity (`--live` only). */
export type LiveFact =
  | { readonly ok: true; readonly assumedRoleArn: string }
  | { readonly ok: false; readonly code: string; readonly message: string }

/** Everything the checks look at; the gatherer fills what it can, the checks are pure. */
export interface DoctorFacts {
  readonly start: DoctorStart
  /** Milliseconds since the epoch. */
  readonly nowMs: number
  readonly namespace?: string
  readonly serviceAccountName?: string
  readonly serviceAccount?: Lookup<JsonObject>
  readonly pod?: Lookup<JsonObject>
  /** The namespace object (for the webhook's namespaceSelector). */
  readonly namespaceObject?: JsonObject
  /** The cluster's MutatingWebhookConfigurations. */
  readonly webhooks?: Lookup<readonly JsonObject[]>
  /** The token (never printed) and where it came from, or why there is none. */
  readonly token?: Lookup<{ readonly text: string; readonly source: string }>
  /** The cluster's issuer (EKS DescribeCluster or its discovery), when known. */
  readonly clusterIssuer?: Lookup<{ readonly url: string; readonly source: string }>
  readonly discovery?: Fetched
  readonly jwks?: Fetched
  /** The JWKS host's chain, or why it could not be read. */
  readonly jwksTls?: Lookup<TlsFact>
  readonly roleArn?: string
  /** The cluster's name (`--cluster`), for fixes that name it. */
  readonly cluster?: string
  /** The account of the caller's credentials (STS GetCallerIdentity). */
  readonly callerAccount?: Lookup<string>
  /** ListOpenIDConnectProviders in the caller's account: the providers' ARNs. */
  readonly providers?: Lookup<readonly string[]>
  /** GetOpenIDConnectProvider of each listed provider whose URL is near the token's iss. */
  readonly providerDetails?: readonly ProviderFact[]
  readonly role?: Lookup<RoleFact>
  readonly durationSeconds?: number
  readonly region?: string
  /** The session name STS would see (for `sts:RoleSessionName` conditions). */
  readonly sessionName?: string
  readonly live?: LiveFact
  /** `--request-id`: the decisions the local stack recorded for that request. */
  readonly decisions?: readonly RecordedDecision[]
  /** Claims to replay when there is no token (from a recorded decision). */
  readonly replayClaims?: { readonly iss: string; readonly sub: string; readonly aud: string }
}

/** One decision of the local stack's log, as `irsa logs --output json` shows it. */
export interface RecordedDecision {
  readonly requestId: string
  readonly at: number
  readonly accountId?: string
  readonly principal?: string
  readonly action: string
  readonly resource?: string
  readonly decision: string
  readonly errorCode?: string
  readonly reasons: Readonly<Record<string, unknown>>
}

/** A check's verdict. */
export type CheckStatus = 'pass' | 'fail' | 'cannot-tell' | 'skipped'

/** One check's answer, as the JSON output carries it. */
export interface CheckResult {
  readonly name: string
  readonly status: CheckStatus
  readonly summary: string
  readonly evidence: Readonly<Record<string, unknown>>
  /** A shell command (or several, joined with `\n`) that fixes it, or null. */
  readonly fix: string | null
}

/** What doctor found: every check in chain order. */
export interface DoctorReport {
  readonly healthy: boolean
  readonly start: DoctorStart
  readonly checks: readonly CheckResult[]
  readonly firstFailure: string | null
}
