import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { AWS_ERROR_REGISTRIES, type AwsErrorSurface } from '../../../src/aws/index.js'
import { STORE_ERROR_CODES } from '../../../src/store/index.js'
import { TOKEN_ERROR_CODES } from '../../../src/token/index.js'
import { WEBHOOK_ERROR_CODES } from '../../../src/webhook/index.js'
import { repoPath } from '../../helpers/paths.js'
import { registrySection } from './errors-doc-table.js'

const doc = readFileSync(repoPath('docs', 'errors.md'), 'utf8')

function between(kind: string, name: string): string {
  const begin = `<!-- ${kind}:${name}:begin -->`
  const end = `<!-- ${kind}:${name}:end -->`
  const i = doc.indexOf(begin)
  const j = doc.indexOf(end)
  assert.ok(i !== -1 && j > i, `docs/errors.md has no ${begin} … ${end} section`)
  assert.equal(doc.indexOf(begin, i + 1), -1, `${begin} appears twice`)
  return doc.slice(i + begin.length, j).trim()
}

/** The codes of a `| \`CODE\` | …` table, in order. */
function tableCodes(section: string): string[] {
  return [...section.matchAll(/^\|\s*`([A-Za-z0-9_]+)`\s*\|/gm)].map((m) => m[1]!)
}

for (const surface of Object.keys(AWS_ERROR_REGISTRIES) as AwsErrorSurface[]) {
  test(`docs/errors.md documents the ${surface} registry exactly (codes, statuses, types, messages)`, () => {
    const expected = registrySection(AWS_ERROR_REGISTRIES[surface])
    const actual = between('registry', surface)
    const documented = [...actual.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1])
    const registered = Object.keys(AWS_ERROR_REGISTRIES[surface]).sort()
    assert.deepEqual(
      [...documented].sort(),
      registered,
      `codes documented vs registered for ${surface}`,
    )
    assert.equal(
      actual,
      expected,
      `docs/errors.md section registry:${surface} is out of date; it should read:\n\n${expected}\n`,
    )
  })
}

for (const [name, codes] of [
  ['token', TOKEN_ERROR_CODES],
  ['store', STORE_ERROR_CODES],
  ['webhook', WEBHOOK_ERROR_CODES],
] as const) {
  test(`docs/errors.md lists every ${name} error code and no other`, () => {
    const listed = tableCodes(between('codes', name))
    assert.equal(new Set(listed).size, listed.length, 'no code twice')
    assert.deepEqual([...listed].sort(), [...codes].sort())
  })
}

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (p.endsWith('.ts')) out.push(p)
  }
  return out
}

test('the other ERR_ codes documented exist in src; every ERR_ code src/aws raises is documented', () => {
  const files = walk(repoPath('src')).map((p) => ({ p, text: readFileSync(p, 'utf8') }))
  const inSrc = new Set(
    files.flatMap((f) => [...f.text.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!)),
  )
  const other = tableCodes(between('codes', 'other'))
  for (const code of other)
    assert.ok(inSrc.has(code), `${code} is documented but not raised in src`)
  const everywhere = new Set(tableCodes(doc))
  const aws = files
    .filter((f) => f.p.startsWith(repoPath('src', 'aws')))
    .flatMap((f) => [...f.text.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!))
  assert.ok(aws.length > 0)
  for (const code of aws)
    assert.ok(everywhere.has(code), `${code} (src/aws) is not in docs/errors.md`)
})
