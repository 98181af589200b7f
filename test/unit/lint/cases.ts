/** Lint case files (test/fixtures/lint) written out as the policies they hold. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoPath } from '../../helpers/paths.js'

const fixtures = repoPath('test', 'fixtures', 'lint')

/** A temporary folder with the triggering (or passing) policy of each case, under its name. */
export function casesDir(cases: readonly string[], which: 'triggers' | 'passes'): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-lint-'))
  for (const c of cases) {
    const raw = JSON.parse(readFileSync(join(fixtures, c), 'utf8')) as Record<
      string,
      { document: unknown }
    >
    writeFileSync(join(dir, c), JSON.stringify(raw[which]?.document, null, 2))
  }
  return dir
}
