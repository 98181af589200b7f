import { IrsaError } from '../../core/index.js'
import { formatMessage, type AwsErrorEntry, type AwsFault, type Placeholders } from './entry.js'

/**
 * An error that leaves irsa as an AWS wire error. `message` is what the client reads;
 * `reason` is for the operator only (the request log and the decision log) and is
 * never sent. Neither ever holds a token, a secret key, a session token or a signature.
 */
export class AwsError extends IrsaError {
  readonly entry: AwsErrorEntry
  /** The HTTP status. */
  readonly status: number
  readonly type: AwsFault
  /** Why, in the operator's terms (which check failed); never sent to the client. */
  readonly reason: string | undefined

  constructor(
    entry: AwsErrorEntry,
    message: string,
    options: { readonly reason?: string | undefined; readonly cause?: unknown } = {},
  ) {
    super(entry.code, message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AwsError'
    this.entry = entry
    this.status = entry.status
    this.type = entry.type
    this.reason = options.reason
  }
}

/** True when `e` is an {@link AwsError}, optionally with the given wire code. */
export function isAwsError(e: unknown, code?: string): e is AwsError {
  return e instanceof AwsError && (code === undefined || e.code === code)
}

type Variants<E extends AwsErrorEntry> = NonNullable<E['variants']>
type VariantName<E extends AwsErrorEntry> = keyof Variants<E> & string

/** The params a template needs: none, or one value per placeholder. */
type ParamsFor<T> = T extends string
  ? [Placeholders<T>] extends [never]
    ? { readonly params?: undefined }
    : { readonly params: Readonly<Record<Placeholders<T>, string | number>> }
  : never

interface Common {
  /** Operator-only explanation, kept in the logs, never sent. */
  readonly reason?: string | undefined
  readonly cause?: unknown
}

/**
 * How to word an {@link awsError}: the entry's default message (with its params), one of
 * its named variants (with that variant's params), or an explicit message.
 */
type AwsErrorOptions<E extends AwsErrorEntry> =
  | (Common & { readonly variant?: undefined; readonly message?: undefined } & ParamsFor<
        E['message']
      >)
  | {
      [V in VariantName<E>]: Common & {
        readonly variant: V
        readonly message?: undefined
      } & ParamsFor<Variants<E>[V]>
    }[VariantName<E>]
  | (Common & {
      readonly message: string
      readonly variant?: undefined
      readonly params?: undefined
    })

type OptionsArg<E extends AwsErrorEntry> = [Placeholders<E['message']>] extends [never]
  ? [options?: AwsErrorOptions<E>]
  : [options: AwsErrorOptions<E>]

/**
 * Builds the {@link AwsError} for a registry entry. Placeholders are type-checked:
 *
 * ```ts
 * throw awsError(STS_ERRORS.InvalidIdentityToken, {
 *   variant: 'noProvider',
 *   params: { issuer },
 *   reason: `no provider for ${issuer} in account ${account}`,
 * })
 * ```
 */
export function awsError<E extends AwsErrorEntry>(entry: E, ...args: OptionsArg<E>): AwsError {
  const o: {
    variant?: string | undefined
    message?: string | undefined
    params?: Readonly<Record<string, string | number>> | undefined
    reason?: string | undefined
    cause?: unknown
  } = args[0] ?? {}
  let message: string
  if (o.message !== undefined) message = o.message
  else {
    const template =
      o.variant === undefined ? entry.message : (entry.variants?.[o.variant] ?? entry.message)
    message = formatMessage(template, o.params)
  }
  return new AwsError(entry, message, { reason: o.reason, cause: o.cause })
}
