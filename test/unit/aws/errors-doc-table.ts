/**
 * The AWS sections of docs/errors.md, rendered from the registries themselves.
 * test/unit/aws/errors-doc.test.ts compares them with the document; when a registry
 * changes, paste the section the failing test prints between its markers.
 */
import type { AwsErrorEntry } from '../../../src/aws/index.js'

/** One registry as Markdown: a heading per code, status and fault, when, and its messages. */
export function registrySection(registry: Readonly<Record<string, AwsErrorEntry>>): string {
  return Object.values(registry)
    .slice()
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((e) =>
      [
        `### \`${e.code}\``,
        '',
        `HTTP ${e.status}, ${e.type}. ${e.when}`,
        '',
        `- \`${e.message}\``,
        ...Object.entries(e.variants ?? {}).map(([k, v]) => `- _${k}_: \`${v}\``),
      ].join('\n'),
    )
    .join('\n\n')
}
