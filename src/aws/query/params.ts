import type { FormPair } from './form.js'

/** How a Query map is spelled: `Name.<entry>.N.<key>` / `Name.<entry>.N.<value>`. */
interface MapShape {
  /** `entry` for Query maps (the default), `member` for lists of Key/Value structs (tags). */
  readonly entry?: string
  readonly key?: string
  readonly value?: string
}

const INDEX = /^[1-9][0-9]{0,5}$/
/**
 * How many `.` steps of one name are indexed. The deepest shape an action reads is
 * `ContextEntries.member.N.ContextKeyValues.member.M` (five); the cap keeps a name of a
 * megabyte of dots from costing its length squared.
 */
const MAX_DEPTH = 16

/**
 * The parameters indexed once, in one pass over their names: every name, every prefix a
 * name continues with `.` (for {@link QueryParams.has}), and for every list base
 * (`X.member`) the member indices under it. Each lookup is then a map read, so reading
 * a request costs time linear in its parameters, however its lists nest.
 */
class ParamIndex {
  readonly values = new Map<string, string>()
  readonly #prefixes = new Set<string>()
  readonly #members = new Map<string, Set<number>>()
  readonly #sorted = new Map<string, readonly number[]>()

  constructor(pairs: Iterable<FormPair>) {
    for (const [name, value] of pairs) {
      if (this.values.has(name)) continue
      this.values.set(name, value)
      this.#indexName(name)
    }
  }

  /** Records each `base.N` step of a name (`A.member.3.B.member.1` has two). */
  #indexName(name: string): void {
    let dot = name.indexOf('.')
    for (let depth = 0; dot !== -1 && depth < MAX_DEPTH; depth++) {
      const base = name.slice(0, dot)
      this.#prefixes.add(base)
      const next = name.indexOf('.', dot + 1)
      const segment = name.slice(dot + 1, next === -1 ? name.length : next)
      if (INDEX.test(segment)) {
        let set = this.#members.get(base)
        if (set === undefined) this.#members.set(base, (set = new Set()))
        set.add(Number(segment))
      }
      dot = next
    }
  }

  /** Whether some name continues `name` with a `.`. */
  hasChildren(name: string): boolean {
    return this.#prefixes.has(name)
  }

  /** The member indices under `base.` in ascending order (sorted once per base). */
  indices(base: string): readonly number[] {
    const done = this.#sorted.get(base)
    if (done !== undefined) return done
    const sorted = [...(this.#members.get(base) ?? [])].sort((a, b) => a - b)
    this.#sorted.set(base, sorted)
    return sorted
  }
}

/**
 * The parameters of one AWS Query request with typed access to its structure: plain
 * strings, lists (`X.member.N`), lists of structures (`X.member.N.field`) and maps
 * (`X.entry.N.key/value`, or `X.member.N.Key/Value` for tags). A structure member is a
 * view with a prefix over the same index, so nesting costs nothing. The first of
 * duplicate names wins; names the action does not read are ignored, as AWS does.
 */
export class QueryParams {
  readonly #index: ParamIndex
  readonly #values: ReadonlyMap<string, string>
  readonly #prefix: string

  private constructor(index: ParamIndex, prefix: string) {
    this.#index = index
    this.#values = index.values
    this.#prefix = prefix
  }

  /** The parameters of a request, from its decoded pairs (query string first, then body). */
  static from(pairs: Iterable<FormPair>): QueryParams {
    return new QueryParams(new ParamIndex(pairs), '')
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
    return this.#values.has(full) || this.#index.hasChildren(full)
  }

  /** A scalar parameter's value as sent (possibly empty), or undefined when absent. */
  string(name: string): string | undefined {
    return this.#values.get(this.#prefix + name)
  }

  /**
   * A list of strings, `Name.member.1`, `Name.member.2`…, in index order. Undefined when
   * the list is absent; empty when it is sent empty (`Name=`, as botocore sends `[]`).
   */
  list(name: string, member = 'member'): string[] | undefined {
    const base = `${this.#prefix}${name}.${member}`
    const out: string[] = []
    for (const i of this.#index.indices(base)) {
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
    const out = this.#index.indices(base).map((i) => new QueryParams(this.#index, `${base}.${i}.`))
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
