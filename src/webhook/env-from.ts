import type { MutationConfig } from './config.js'
import type { ContainerView, EnvFromView } from './pod-view.js'
import { quote } from './warnings.js'

/** What a container's `envFrom` is known, or not known, to set. */
interface EnvFromAnalysis {
  /** Variable names a resolved source sets (prefix applied). */
  readonly names: ReadonlySet<string>
  /** Sources whose keys are unknown. */
  readonly unknown: readonly EnvFromView[]
}

/**
 * Splits a container's `envFrom` sources into the variable names they are known to set
 * (through `config.resolveEnvFrom`) and the sources whose keys nobody could tell.
 */
export function analyseEnvFrom(
  container: ContainerView,
  namespace: string,
  config: MutationConfig,
): EnvFromAnalysis {
  const names = new Set<string>()
  const unknown: EnvFromView[] = []
  for (const source of container.envFrom) {
    const keys = config.resolveEnvFrom?.(namespace, {
      kind: source.kind,
      name: source.name,
      optional: source.optional,
    })
    if (keys === undefined) unknown.push(source)
    else for (const key of keys) names.add(source.prefix + key)
  }
  return { names, unknown }
}

/** Whether a source with unknown keys could set `name` (its prefix must begin the name). */
export function couldSet(source: EnvFromView, name: string): boolean {
  return name.startsWith(source.prefix)
}

/** `ConfigMap "app-config"` (with its prefix, if any), for warnings. */
export function describeSource(source: EnvFromView): string {
  const prefix = source.prefix === '' ? '' : ` (prefix ${quote(source.prefix)})`
  return `${source.kind} ${quote(source.name)}${prefix}`
}
