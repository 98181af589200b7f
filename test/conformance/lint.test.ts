/**
 * Lint conformance: every case file under test/fixtures/lint (one case per file, each citing
 * the AWS page it follows) names a rule, a policy that triggers it and one that does not. The
 * triggering policy must give a finding of that rule whose line and column point at the text
 * the case names (`at`); the other must give none of that rule. The loader fails on an empty
 * folder, on an unknown key and on a rule without a case.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { lintTexts, RULE_LIST, type Finding } from '../../src/lint/index.js'
import { repoPath } from '../helpers/paths.js'

interface LintCase {
  readonly file: string
  readonly rule: string
  readonly description: string
  readonly source: string
  readonly triggers: { readonly document: unknown; readonly at: string }
  readonly passes: { readonly document: unknown }
  /** For the live-role rules: the OIDC providers the account has. */
  readonly providers?: readonly string[]
}

const KEYS = ['rule', 'description', 'source', 'triggers', 'passes', 'providers']

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new Error(`${what}: a non-empty string`)
  return v
}

function loadLintCases(dir: string): LintCase[] {
  const files = readdirSync(dir).sort()
  const cases = files.map((file): LintCase => {
    if (!file.endsWith('.json')) throw new Error(`${file}: not a .json case file`)
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>
    for (const k of Object.keys(raw)) if (!KEYS.includes(k)) throw new Error(`${file}: key ${k}`)
    const t = raw['triggers'] as Record<string, unknown> | undefined
    const p = raw['passes'] as Record<string, unknown> | undefined
    if (t?.['document'] === undefined || p?.['document'] === undefined)
      throw new Error(`${file}: triggers.document and passes.document are required`)
    return {
      file,
      rule: str(raw['rule'], `${file}: rule`),
      description: str(raw['description'], `${file}: description`),
      source: str(raw['source'], `${file}: source`),
      triggers: { document: t['document'], at: str(t['at'], `${file}: triggers.at`) },
      passes: { document: p['document'] },
      ...(Array.isArray(raw['providers']) ? { providers: raw['providers'].map(String) } : {}),
    }
  })
  if (cases.length === 0) throw new Error(`${dir}: no lint cases`)
  return cases
}

const cases = loadLintCases(repoPath('test', 'fixtures', 'lint'))

function textOf(document: unknown): string {
  return typeof document === 'string' ? document : JSON.stringify(document, null, 2)
}

/** The text at a 1-based line and column. */
function textAt(text: string, line: number, column: number): string {
  return (text.split('\n')[line - 1] ?? '').slice(column - 1)
}

async function findings(
  text: string,
  uri: string,
  providers: readonly string[] | undefined,
): Promise<Finding[]> {
  return lintTexts([{ text, source: { uri }, ...(providers === undefined ? {} : { providers }) }])
}

test('every rule has a case file, and every case file names a rule', () => {
  const ids = RULE_LIST.map((r) => r.id).sort()
  assert.deepEqual([...new Set(cases.map((c) => c.rule))].sort(), ids)
  for (const c of cases) assert.equal(c.file, `${c.rule}.json`)
})

for (const c of cases) {
  test(`${c.file}: ${c.description}`, async () => {
    const why = `${c.description} (${c.source})`
    const text = textOf(c.triggers.document)
    const hit = (await findings(text, c.file, c.providers)).filter((f) => f.ruleId === c.rule)
    assert.ok(hit.length > 0, `${why}: no ${c.rule} finding`)
    for (const f of hit) {
      assert.equal(f.location.uri, c.file)
      assert.ok(
        textAt(text, f.location.line, f.location.column).startsWith(c.triggers.at),
        `${why}: ${f.location.line}:${f.location.column} is at ` +
          `'${textAt(text, f.location.line, f.location.column).slice(0, 40)}', not '${c.triggers.at}'`,
      )
      assert.ok(f.message.length > 20 && f.fix.length > 10, 'a message and a fix')
      assert.equal(f.severity, RULE_LIST.find((r) => r.id === c.rule)?.severity)
    }
    const clean = await findings(textOf(c.passes.document), c.file, c.providers)
    assert.deepEqual(
      clean.filter((f) => f.ruleId === c.rule),
      [],
      `${why}: the passing policy triggers ${c.rule}`,
    )
  })
}
