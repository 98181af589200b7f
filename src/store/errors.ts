import { IrsaError } from '../core/index.js'

/**
 * Why a store operation failed. Stable: the IAM, STS and EKS layers translate these to
 * AWS's wire errors (`EntityAlreadyExists`, `NoSuchEntity`, `DeleteConflict`,
 * `LimitExceeded`), so a code is never renamed or reused.
 */
type StoreErrorCode =
  | 'ERR_STORE_CONFLICT'
  | 'ERR_STORE_NOT_FOUND'
  | 'ERR_STORE_IN_USE'
  | 'ERR_STORE_LIMIT'
  | 'ERR_STORE_INVALID'
  | 'ERR_STORE_VERSION'
  | 'ERR_STORE_MISSING'
  | 'ERR_STORE_BUSY'
  | 'ERR_STORE_IO'
  | 'ERR_STORE_CLOSED'
  | 'ERR_STORE_FAILED'

/** Every {@link StoreErrorCode}, for exhaustive tests and documentation. */
export const STORE_ERROR_CODES: readonly StoreErrorCode[] = [
  'ERR_STORE_CONFLICT',
  'ERR_STORE_NOT_FOUND',
  'ERR_STORE_IN_USE',
  'ERR_STORE_LIMIT',
  'ERR_STORE_INVALID',
  'ERR_STORE_VERSION',
  'ERR_STORE_MISSING',
  'ERR_STORE_BUSY',
  'ERR_STORE_IO',
  'ERR_STORE_CLOSED',
  'ERR_STORE_FAILED',
]

/** The kinds of rows the store keeps; errors name the one at fault. */
export type StoreEntity =
  | 'account'
  | 'accessKey'
  | 'serverSecret'
  | 'setting'
  | 'role'
  | 'roleTag'
  | 'inlinePolicy'
  | 'attachment'
  | 'policy'
  | 'policyVersion'
  | 'oidcProvider'
  | 'cluster'
  | 'signingKey'
  | 'decision'
  | 'kubeObject'
  | 's3Bucket'
  | 's3Object'
  | 's3Upload'

/** What a {@link StoreError} is about: the kind of row and its key (a name, an ARN, an id). */
interface StoreErrorSubject {
  readonly entity?: StoreEntity
  /** The row's key as the caller gave it. Never a secret: access keys are named by id. */
  readonly key?: string
}

/**
 * Base class of the store's errors. `message` is one line and never holds a secret,
 * a document or a private key; `entity` and `key` say which row, for callers that word
 * their own message (IAM: "The role with name X cannot be found.").
 */
export class StoreError extends IrsaError {
  declare readonly code: StoreErrorCode
  readonly entity: StoreEntity | undefined
  readonly key: string | undefined

  constructor(
    code: StoreErrorCode,
    message: string,
    subject: StoreErrorSubject = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
    this.name = 'StoreError'
    this.entity = subject.entity
    this.key = subject.key
  }
}

/** A row with the same unique key exists (IAM: `EntityAlreadyExists`). */
export class StoreConflictError extends StoreError {
  constructor(message: string, subject: StoreErrorSubject, options?: { cause?: unknown }) {
    super('ERR_STORE_CONFLICT', message, subject, options)
    this.name = 'StoreConflictError'
  }
}

/** The row an operation names does not exist (IAM: `NoSuchEntity`). */
export class StoreNotFoundError extends StoreError {
  constructor(message: string, subject: StoreErrorSubject, options?: { cause?: unknown }) {
    super('ERR_STORE_NOT_FOUND', message, subject, options)
    this.name = 'StoreNotFoundError'
  }
}

/** Why a row cannot be deleted: what still depends on it. */
type InUseReason =
  | 'attached-policies'
  | 'inline-policies'
  | 'attachments'
  | 'non-default-versions'
  | 'default-version'
  | 'signing-key'
  | 'referenced'

/** A row is still referenced and cannot be deleted (IAM: `DeleteConflict`). */
export class StoreInUseError extends StoreError {
  readonly reason: InUseReason

  constructor(
    message: string,
    subject: StoreErrorSubject & { readonly reason: InUseReason },
    options?: { cause?: unknown },
  ) {
    super('ERR_STORE_IN_USE', message, subject, options)
    this.name = 'StoreInUseError'
    this.reason = subject.reason
  }
}

/** A hard limit of the data model was reached (IAM: `LimitExceeded`). */
export class StoreLimitError extends StoreError {
  readonly limit: number

  constructor(message: string, subject: StoreErrorSubject & { readonly limit: number }) {
    super('ERR_STORE_LIMIT', message, subject)
    this.name = 'StoreLimitError'
    this.limit = subject.limit
  }
}

/** A value the schema refuses (a bad account id, a malformed kid): a caller's bug or bad input. */
export class StoreInvalidError extends StoreError {
  constructor(message: string, subject: StoreErrorSubject = {}, options?: { cause?: unknown }) {
    super('ERR_STORE_INVALID', message, subject, options)
    this.name = 'StoreInvalidError'
  }
}

/** The database was written by a newer irsa (its schema version is unknown to this code). */
export class StoreVersionError extends StoreError {
  readonly found: number
  readonly known: number

  constructor(message: string, versions: { readonly found: number; readonly known: number }) {
    super('ERR_STORE_VERSION', message)
    this.name = 'StoreVersionError'
    this.found = versions.found
    this.known = versions.known
  }
}

/** True when `e` is a {@link StoreError}, optionally with the given code. */
export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code)
}
