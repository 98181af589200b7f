/**
 * Lint output: text for people, JSON for scripts, SARIF 2.1.0 for GitHub code scanning
 * (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html; GitHub's accepted subset:
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 */
import { RULE_LIST, type Finding } from './rules.js'

const HELP = 'https://github.com/irsa-dev/irsa/blob/main/docs/lint.md'

function where(f: Finding): string {
  const l = f.location
  const pos = `${l.line}:${l.column}`
  const st =
    l.statement === undefined
      ? ''
      : ` statement ${l.statement}${l.sid === undefined ? '' : ` (${l.sid})`}`
  if (l.role !== undefined)
    return `role ${l.role} ${l.policy ?? ''}${st} ${pos}`.replace(/ +/g, ' ')
  return `${l.uri ?? '-'}:${pos}${st}`
}

/** One finding per paragraph: location, severity and rule, message, fix. */
export function formatText(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no findings\n'
  const lines = findings.map(
    (f) => `${where(f)}: ${f.severity} [${f.ruleId}] ${f.message}\n  fix: ${f.fix}\n`,
  )
  const count = (s: string): number => findings.filter((f) => f.severity === s).length
  return (
    lines.join('') +
    `${findings.length} finding${findings.length === 1 ? '' : 's'} ` +
    `(${count('error')} error, ${count('warning')} warning, ${count('note')} note)\n`
  )
}

/** `{ findings: [...] }`, each with ruleId, severity, message, fix and location. */
export function formatJson(findings: readonly Finding[]): string {
  return JSON.stringify({ findings }, null, 2) + '\n'
}

/** The SARIF 2.1.0 log of one run. */
export function toSarif(findings: readonly Finding[], version: string): unknown {
  const index = new Map(RULE_LIST.map((r, i) => [r.id, i] as const))
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'irsa lint',
            version,
            informationUri: HELP,
            rules: RULE_LIST.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.summary },
              helpUri: `${HELP}#${r.id}`,
              defaultConfiguration: { level: r.severity },
            })),
          },
        },
        results: findings.map((f) => {
          const l = f.location
          const region = { startLine: l.line, startColumn: l.column }
          const physicalLocation = {
            // A live role's policy has no file: its ARN and the policy stand for one.
            artifactLocation: {
              uri:
                l.uri !== undefined
                  ? toUri(l.uri)
                  : encodeURI(`${l.role ?? 'role'}/${l.policy ?? 'policy'}`),
            },
            region,
          }
          const location =
            l.role === undefined
              ? { physicalLocation }
              : {
                  physicalLocation,
                  logicalLocations: [
                    {
                      name: l.policy ?? 'policy',
                      fullyQualifiedName: `${l.role}/${l.policy ?? ''}`,
                      kind: 'resource',
                    },
                  ],
                }
          return {
            ruleId: f.ruleId,
            ruleIndex: index.get(f.ruleId) ?? 0,
            level: f.severity,
            message: { text: `${f.message} Fix: ${f.fix}` },
            locations: [location],
          }
        }),
      },
    ],
  }
}

/** A relative path as a SARIF relative URI reference (forward slashes, percent-encoded). */
function toUri(path: string): string {
  return path
    .split(/[\\/]/)
    .map((s) => encodeURIComponent(s))
    .join('/')
    .replace(/^\.\//, '')
}

export function formatSarif(findings: readonly Finding[], version: string): string {
  return JSON.stringify(toSarif(findings, version), null, 2) + '\n'
}
