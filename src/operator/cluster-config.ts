import { parse } from 'yaml'
import { OperatorError } from './errors.js'

/** One `iam.serviceAccounts[]` entry of an eksctl ClusterConfig, as create takes it. */
export interface ServiceAccountSpec {
  readonly namespace: string
  readonly name: string
  readonly policyArns: readonly string[]
  readonly roleArn?: string
  readonly roleName?: string
  readonly roleOnly: boolean
  readonly permissionsBoundary?: string
  readonly tags: Readonly<Record<string, string>>
}

/** What `create iamserviceaccount -f` reads of an eksctl ClusterConfig. */
export interface ClusterConfigSpec {
  readonly cluster: string
  readonly withOIDC: boolean
  readonly serviceAccounts: readonly ServiceAccountSpec[]
}

type Rec = Record<string, unknown>
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v)

function str(o: Rec, key: string, where: string): string | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v === '') throw new OperatorError(`${where}.${key} must be a string`)
  return v
}

/**
 * Parses eksctl's ClusterConfig (`eksctl.io/v1alpha5`): `metadata.name`, `iam.withOIDC`,
 * `iam.serviceAccounts[]` with `metadata` (name, namespace), `attachPolicyARNs`,
 * `attachRoleARN`, `roleName`, `roleOnly`, `permissionsBoundary` and `tags`. Inline
 * `attachPolicy` and `wellKnownPolicies` are refused (not supported yet), as is anything
 * malformed; `where` names the file in messages.
 */
export function parseClusterConfig(text: string, where: string): ClusterConfigSpec {
  let doc: unknown
  try {
    doc = parse(text)
  } catch (e) {
    throw new OperatorError(
      `${where}: not YAML (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : ''})`,
    )
  }
  if (!isRec(doc) || doc['kind'] !== 'ClusterConfig')
    throw new OperatorError(`${where}: not an eksctl ClusterConfig (kind: ClusterConfig)`)
  const meta = isRec(doc['metadata']) ? doc['metadata'] : {}
  const cluster = str(meta, 'name', 'metadata')
  if (cluster === undefined) throw new OperatorError(`${where}: metadata.name is required`)
  const iam = isRec(doc['iam']) ? doc['iam'] : {}
  const list = iam['serviceAccounts'] ?? []
  if (!Array.isArray(list)) throw new OperatorError(`${where}: iam.serviceAccounts must be a list`)
  const serviceAccounts = list.map((item: unknown, i): ServiceAccountSpec => {
    const at = `iam.serviceAccounts[${i}]`
    if (!isRec(item)) throw new OperatorError(`${where}: ${at} must be a mapping`)
    for (const unsupported of ['attachPolicy', 'wellKnownPolicies'])
      if (item[unsupported] !== undefined)
        throw new OperatorError(
          `${where}: ${at}.${unsupported} is not supported yet; use attachPolicyARNs`,
        )
    const m = isRec(item['metadata']) ? item['metadata'] : {}
    const name = str(m, 'name', `${at}.metadata`)
    if (name === undefined) throw new OperatorError(`${where}: ${at}.metadata.name is required`)
    const arns = item['attachPolicyARNs'] ?? []
    if (!Array.isArray(arns) || !arns.every((a): a is string => typeof a === 'string'))
      throw new OperatorError(`${where}: ${at}.attachPolicyARNs must be a list of ARNs`)
    const tags = item['tags'] ?? {}
    if (!isRec(tags) || !Object.values(tags).every((v) => typeof v === 'string'))
      throw new OperatorError(`${where}: ${at}.tags must map keys to strings`)
    const roleArn = str(item, 'attachRoleARN', at)
    const roleName = str(item, 'roleName', at)
    const boundary = str(item, 'permissionsBoundary', at)
    return {
      namespace: str(m, 'namespace', `${at}.metadata`) ?? 'default',
      name,
      policyArns: arns,
      roleOnly: item['roleOnly'] === true,
      tags: tags as Record<string, string>,
      ...(roleArn !== undefined ? { roleArn } : {}),
      ...(roleName !== undefined ? { roleName } : {}),
      ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
    }
  })
  return { cluster, withOIDC: iam['withOIDC'] === true, serviceAccounts }
}
