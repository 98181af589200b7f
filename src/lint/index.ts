export {
  RULES,
  RULE_LIST,
  SEVERITIES,
  atLeast,
  preparePolicy,
  servicePrefixes,
  lintPrepared,
} from './rules.js'
export type {
  Severity,
  RuleInfo,
  Finding,
  FindingLocation,
  LintSource,
  DocumentKind,
  PreparedPolicy,
  LintContext,
} from './rules.js'
export { loadIamCatalog, catalogOf, templatePattern } from './catalog.js'
export type { IamCatalog, CatalogService, CatalogAction } from './catalog.js'
export { formatText, formatJson, formatSarif, toSarif } from './report.js'
export { lintTexts } from './lint.js'
export type { LintText } from './lint.js'
export { readLiveRoles, roleNameOf } from './live.js'
