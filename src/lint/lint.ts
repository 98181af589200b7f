import { loadIamCatalog } from './catalog.js'
import {
  lintPrepared,
  preparePolicy,
  servicePrefixes,
  type DocumentKind,
  type Finding,
  type LintSource,
} from './rules.js'

/** One document to lint. */
export interface LintText {
  readonly text: string
  readonly source: LintSource
  /** Trust or permissions; detected from the document when absent. */
  readonly kind?: DocumentKind
  /** For live roles: the ARNs of the account's OIDC providers (checked when given). */
  readonly providers?: readonly string[]
}

/** Lints documents: parses each once, loads the services they name, runs the rules. */
export async function lintTexts(docs: readonly LintText[]): Promise<Finding[]> {
  const prepared = docs.map((d) => preparePolicy(d.text, d.source, d.kind))
  const prefixes = new Set<string>()
  for (const p of prepared) for (const s of servicePrefixes(p)) prefixes.add(s)
  const catalog = await loadIamCatalog(prefixes)
  return prepared.flatMap((p, i) => {
    const providers = docs[i]?.providers
    return lintPrepared(p, catalog, providers === undefined ? {} : { providers })
  })
}
