import type { FormPair } from './form.js'

/** How a Query map is spelled: `Name.<entry>.N.<key>` / `Name.<entry>.N.<value>`. */
export interface MapShape {
  /** `entry` for Query maps (the default), `member` for lists of Key/Value structs (tags). */
  readonly entry?: string
  readonly key?: string
  readonly value?: string
}

const INDEX = /^[1-9][0-9]{0,5}$/

/**
 * The parameters of one AWS Query request with typed access to its structure: plain
 * strings, lists (`X.member.N`), lists of structures (`X.member.N.field`) and maps
 * (`X.entry.N.key/value`, or `X.member.N.Key/Value` for tags). A structure member is a
 * view with a prefix over the same parameters, so nesting costs nothing. The first of
 * duplicate names wins; names the action does not read are ignored, as AWS does.
 */
export class QueryParams {
  readonly #values: ReadonlyMap<string, string>
  readonly #prefix: string

  private constructor(values: ReadonlyMap<string, string>, prefix: string) {
    this.#values = values
    this.#prefix = prefix
  }

  /** The parameters of a request, from its decoded pairs (query string first, then body). */
  static from(pairs: Iterable<FormPair>): QueryParams {
    const values = new Map<string, string>()
    for (const [name, value] of pairs) if (!values.has(name)) values.set(name, value)
    return new QueryParams(values, '')
  }

  /** `Action`, when present and not empty. */
  get action(): string | undefined {
    return this.#values.get('Action') || undefined
  }

  /** `Version`, when present and not empty. */
  get version(): string | undefined {
    return this.#values.get('Version') || undefined
  }

  /** The prefix of this view (`PolicyArns.member.1.`), empty for the request itself. */
  get prefix(): string {
    return this.#prefix
  }

  /** Whether the parameter, or any member of it, is present. */
  has(name: string): boolean {
    const full = this.#prefix + name
    if (this.#values.has(full)) return true
    for (const k of this.#values.keys()) if (k.startsWith(`${full}.`)) return true
    return false
  }

  /** A scalar parameter's value as sent (possibly empty), or undefined when absent. */
  string(name: string): string | undefined {
    return this.#values.get(this.#prefix + name)
  }

  /** The member indices present under `base.` in ascending order: `Name.member.N…`. */
  #indices(base: string): number[] {
    const start = `${base}.`
    const seen = new Set<number>()
    for (const k of this.#values.keys()) {
      if (!k.startsWith(start)) continue
      const rest = k.slice(start.length)
      const dot = rest.indexOf('.')
      const idx = dot === -1 ? rest : rest.slice(0, dot)
      if (INDEX.test(idx)) seen.add(Number(idx))
    }
    return [...seen].sort((a, b) => a - b)
  }

  /**
   * A list of strings, `Name.member.1`, `Name.member.2`…, in index order. Undefined when
   * the list is absent; empty when it is sent empty (`Name=`, as botocore sends `[]`).
   */
  list(name: string, member = 'member'): string[] | undefined {
    const base = `${this.#prefix}${name}.${member}`
    const out: string[] = []
    for (const i of this.#indices(base)) {
      const v = this.#values.get(`${base}.${i}`)
      if (v !== undefined) out.push(v)
    }
    if (out.length > 0) return out
    return this.#values.has(this.#prefix + name) ? [] : undefined
  }

  /**
   * A list of structures, `Name.member.N.field`, each as a view of its own fields. Same
   * absent/empty rule as {@link list}.
   */
  structs(name: string, member = 'member'): QueryParams[] | undefined {
    const base = `${this.#prefix}${name}.${member}`
    const out = this.#indices(base).map((i) => new QueryParams(this.#values, `${base}.${i}.`))
    if (out.length > 0) return out
    return this.#values.has(this.#prefix + name) ? [] : undefined
  }

  /**
   * A map's entries in index order, duplicates kept (the action decides whether a repeated
   * key is an error). `Attributes.entry.N.key/value` by default; tags are
   * `mapEntries('Tags', { entry: 'member', key: 'Key', value: 'Value' })`. A missing key
   * is the empty string and a missing value undefined, for the action to refuse.
   */
  mapEntries(name: string, shape: MapShape = {}): [string, string | undefined][] | undefined {
    const { entry = 'entry', key = 'key', value = 'value' } = shape
    const structs = this.structs(name, entry)
    return structs?.map((s) => [s.string(key) ?? '', s.string(value)])
  }

  /** Every parameter name of this view (without the prefix), for diagnostics. */
  names(): string[] {
    const out: string[] = []
    for (const k of this.#values.keys())
      if (k.startsWith(this.#prefix)) out.push(k.slice(this.#prefix.length))
    return out
  }
}
