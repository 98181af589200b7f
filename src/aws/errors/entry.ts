/**
 * The shape of one AWS wire error: what a client sees and branches on. Registries
 * (`common.ts`, `sts.ts`, `iam.ts`, `eks.ts`) are `const` tables of these, keyed by
 * `code`, and `docs/errors.md` lists every one (a test keeps the two in step).
 */

/** Who is at fault, as AWS Query's `<Type>` says it: the caller or the service. */
export type AwsFault = 'Sender' | 'Receiver'

/** One wire error. */
export interface AwsErrorEntry {
  /** The code on the wire (`<Code>` in Query XML, `x-amzn-ErrorType` in REST-JSON). */
  readonly code: string
  /** The HTTP status AWS answers with. */
  readonly status: number
  readonly type: AwsFault
  /**
   * The default message. `{name}` placeholders are filled from the params given when
   * the error is raised; a message without placeholders is sent as is.
   */
  readonly message: string
  /** Named alternative messages (AWS words one code differently for different causes). */
  readonly variants?: Readonly<Record<string, string>>
  /** When irsa raises it, for `docs/errors.md` and the operator. */
  readonly when: string
}

/** The `{name}` placeholders of a message template, as a union of names. */
export type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}`
  ? P | Placeholders<Rest>
  : never

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g

/** The placeholder names of a template, in order of first appearance. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))]
}

/**
 * Fills a template's `{name}` placeholders. A placeholder without a value is a bug in
 * the caller, not a client's fault: it throws, and the app answers InternalFailure.
 */
export function formatMessage(
  template: string,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const v = params[name]
    if (v === undefined) throw new Error(`error message placeholder {${name}} has no value`)
    return String(v)
  })
}
