import type { MutationConfig } from './config.js'
import { ENV } from './env-names.js'
import { analyseEnvFrom, couldSet, describeSource } from './env-from.js'
import { formatPointer } from './json-pointer.js'
import type { JsonPatchOperation } from './json-patch.js'
import type { ContainerView } from './pod-view.js'
import type { ResolvedIdentity } from './resolve.js'
import type { JsonObject } from './types.js'
import { list, quote } from './warnings.js'

/**
 * The changes one container needs, as `add` operations at its own paths: the container
 * object is never replaced, so every field of it survives.
 */
interface ContainerPlan {
  readonly ops: JsonPatchOperation[]
  readonly warnings: string[]
  /** Whether the identity variables (and so any session name) were injected. */
  readonly injectedIdentity: boolean
}

/** A variable group: added as a whole or not at all. */
type Group = 'sts' | 'region' | 'identity' | 'session'

interface Injection {
  readonly group: Group
  readonly name: string
  readonly entry: JsonObject
}

function literal(group: Group, name: string, value: string): Injection {
  return { group, name, entry: { name, value } }
}

/** The identity pair of a mode, in the order the reference injects it. */
function identityVariables(
  id: ResolvedIdentity,
): readonly [readonly [string, string], readonly [string, string]] {
  return id.mode === 'irsa'
    ? [
        [ENV.roleArn, id.roleArn],
        [ENV.webIdentityTokenFile, id.tokenFile],
      ]
    : [
        [ENV.containerCredentialsFullUri, id.fullUri],
        [ENV.containerAuthorizationTokenFile, id.tokenFile],
      ]
}

/**
 * Plans one container with the reference's rules: a group of variables (identity pair,
 * region pair, `AWS_STS_REGIONAL_ENDPOINTS`) is present when any of its names is set, and
 * is then left alone; when all three are present the container is not touched at all
 * (not even mounted). Otherwise the missing groups are appended after the existing env,
 * STS first, then region, then identity (then irsa's `AWS_ROLE_SESSION_NAME`), and the
 * token volume is mounted unless a mount of that volume name exists.
 *
 * irsa also counts names that `envFrom` sources are known to set, and deals with sources
 * whose keys are unknown as `config.unresolvedEnvFrom` says.
 */
export function planContainer(
  container: ContainerView,
  id: ResolvedIdentity,
  config: MutationConfig,
  sessionName: JsonObject | undefined,
): ContainerPlan {
  const label = `container ${quote(container.name)}`
  const envFrom = analyseEnvFrom(container, id.namespace, config)
  const isSet = (name: string): boolean => container.env.has(name) || envFrom.names.has(name)
  const identity = identityVariables(id)
  const hasIdentity = identity.some(([name]) => isSet(name))
  const hasRegion = isSet(ENV.region) || isSet(ENV.defaultRegion)
  const hasSts = isSet(ENV.stsRegionalEndpoints)
  const warnings: string[] = []

  if (hasIdentity) {
    const ours = identity.every(([name, value]) => container.env.get(name)?.value === value)
    if (!ours) {
      const set = identity.map(([name]) => name).filter(isSet)
      warnings.push(
        `${label} already sets ${list(set, 'and')}; the webhook did not inject ${list(
          identity.map(([name]) => name),
          'or',
        )}`,
      )
    }
  }
  if (hasIdentity && hasRegion && hasSts) return { ops: [], warnings, injectedIdentity: false }

  let wanted: Injection[] = []
  if (!hasSts && id.regionalSts) wanted.push(literal('sts', ENV.stsRegionalEndpoints, 'regional'))
  if (!hasRegion && id.region !== '') {
    wanted.push(literal('region', ENV.defaultRegion, id.region))
    wanted.push(literal('region', ENV.region, id.region))
  }
  if (!hasIdentity) {
    for (const [name, value] of identity) wanted.push(literal('identity', name, value))
    if (sessionName !== undefined && !isSet(ENV.roleSessionName)) {
      wanted.push({ group: 'session', name: ENV.roleSessionName, entry: sessionName })
    }
  }

  for (const source of envFrom.unknown) {
    const shadowed = wanted.filter((w) => couldSet(source, w.name))
    if (shadowed.length === 0) continue
    const held =
      config.unresolvedEnvFrom === 'keep' ? shadowed.filter((w) => w.group !== 'identity') : []
    const heldGroups = new Set(held.map((w) => w.group))
    const heldNames = wanted.filter((w) => heldGroups.has(w.group)).map((w) => w.name)
    const overridden = shadowed.filter((w) => !heldGroups.has(w.group)).map((w) => w.name)
    wanted = wanted.filter((w) => !heldGroups.has(w.group))
    const about = `${label}: envFrom ${describeSource(source)} was not inspected`
    if (heldNames.length > 0) {
      warnings.push(`${about}; it may set ${heldNames.join(', ')}, so they were not injected`)
    }
    if (overridden.length > 0) {
      warnings.push(`${about}; injected ${overridden.join(', ')} override any value it sets`)
    }
  }

  const ops: JsonPatchOperation[] = []
  const base = ['spec', container.list, container.index]
  const entries = wanted.map((w) => w.entry)
  if (entries.length > 0) {
    if (container.hasEnvList) {
      for (const value of entries)
        ops.push({ op: 'add', path: formatPointer([...base, 'env', '-']), value })
    } else {
      ops.push({ op: 'add', path: formatPointer([...base, 'env']), value: entries })
    }
  }

  const mountPath = container.mounts.get(id.volumeName)
  if (!container.mounts.has(id.volumeName)) {
    const mount: JsonObject = { name: id.volumeName, readOnly: true, mountPath: id.mountPath }
    ops.push(
      container.hasMountList
        ? { op: 'add', path: formatPointer([...base, 'volumeMounts', '-']), value: mount }
        : { op: 'add', path: formatPointer([...base, 'volumeMounts']), value: [mount] },
    )
  } else if (mountPath !== id.mountPath) {
    warnings.push(
      `${label} mounts volume ${id.volumeName} at ${mountPath === undefined ? 'no mountPath' : quote(mountPath)}, not at ${id.mountPath}, where ${identity[1][0]} expects the token`,
    )
  }

  return { ops, warnings, injectedIdentity: wanted.some((w) => w.group === 'identity') }
}
