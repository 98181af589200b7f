import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { repoPath } from '../helpers/paths.js'

/**
 * The supported Node.js versions are said in three places and tested by a fourth: README's
 * "Supported Node.js versions" table, package.json's engines, and the versions that
 * .ci/run tests (the whole suite on the machine's Node.js, then the e2e and interop tests on
 * each version in scripts/ci-node-versions.sh). These tests keep them in step.
 */

/** `20.19+` (any later 20.x) or `24.0–24.18` (up to and including 24.18.x). */
interface Row {
  major: number
  minMinor: number
  maxMinor: number | undefined
  text: string
}

const readme = readFileSync(repoPath('README.md'), 'utf8')
const section = readme.split(/^## Supported Node\.js versions$/m)[1]?.split(/^## /m)[0] ?? ''
const rows: Row[] = [
  ...section.matchAll(/^\| (\d+)\.(\d+)(?:\+|\u2013\1\.(\d+)) +\| (.+?) +\|$/gm),
].map((m) => ({
  major: Number(m[1]),
  minMinor: Number(m[2]),
  maxMinor: m[3] === undefined ? undefined : Number(m[3]),
  text: m[4]!,
}))

function range(r: Row): string {
  return r.maxMinor === undefined
    ? `^${r.major}.${r.minMinor}.0`
    : `>=${r.major}.${r.minMinor}.0 <${r.major}.${r.maxMinor + 1}.0`
}

function within(r: Row, minor: number): boolean {
  return minor >= r.minMinor && (r.maxMinor === undefined || minor <= r.maxMinor)
}

const engines = (
  JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { engines?: { node?: string } }
).engines?.node

const script = readFileSync(repoPath('scripts', 'ci-node-versions.sh'), 'utf8')
const scriptVersions = (/^NODE_VERSIONS=\(([^)]*)\)$/m.exec(script)?.[1] ?? '')
  .split(/\s+/)
  .filter((v) => v !== '')

const machineMajor = Number(process.versions.node.split('.')[0])

function parse(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v)
  assert.ok(m, `${v} is an exact version`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

test('README names the supported versions in a table, one row per major', () => {
  assert.ok(rows.length >= 3, `rows: ${JSON.stringify(rows)}`)
  const majors = rows.map((r) => r.major)
  assert.deepEqual(
    majors,
    [...new Set(majors)].sort((a, b) => a - b),
  )
  for (const want of [20, 22, 24]) assert.ok(majors.includes(want), `README row for ${want}`)
})

test('package.json engines are exactly the README rows', () => {
  assert.ok(engines !== undefined, 'engines.node is set')
  const want = rows.map(range).join(' || ')
  assert.equal(engines, want)
  assert.ok(readme.includes(`\`${want}\``), 'README quotes the engines range')
})

test('.ci/run runs npm test, then scripts/ci-node-versions.sh', () => {
  const lines = readFileSync(repoPath('.ci', 'run'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const npmTest = lines.indexOf('npm test')
  const others = lines.indexOf('bash scripts/ci-node-versions.sh')
  assert.ok(npmTest >= 0, '.ci/run calls exactly `npm test`')
  assert.ok(others > npmTest, '.ci/run calls scripts/ci-node-versions.sh after npm test')
})

test('every README version is tested: the whole suite on the machine, e2e+interop by the script', () => {
  assert.ok(scriptVersions.length > 0, 'NODE_VERSIONS=(…) in scripts/ci-node-versions.sh')
  const byMajor = new Map<number, string>()
  for (const v of scriptVersions) {
    const [major, minor] = parse(v)
    assert.ok(!byMajor.has(major), `one version of ${major} in NODE_VERSIONS`)
    byMajor.set(major, v)
    const row = rows.find((r) => r.major === major)
    assert.ok(row, `NODE_VERSIONS has ${v}, README has no row for ${major}`)
    assert.ok(within(row, minor), `${v} is within README's ${range(row)}`)
    assert.match(row.text, /\be2e and interop tests\b/, `README row ${major}`)
    assert.ok(row.text.includes(`on ${v}`), `README row ${major} names ${v}: ${row.text}`)
  }
  const whole = rows.filter((r) => /the whole suite/.test(r.text))
  assert.equal(whole.length, 1, "one README row runs the whole suite: the machine's Node.js")
  const suite = whole[0]!
  assert.ok(!byMajor.has(suite.major), 'the script does not test the machine major again')
  for (const r of rows) {
    if (r !== suite)
      assert.ok(byMajor.has(r.major), `README claims ${r.major}; NODE_VERSIONS has none`)
  }
  // CI runs `npm test` on the machine's Node.js: it must be the one README says runs it.
  // (A developer may run the suite on any supported version.)
  if (process.env['CI'] === 'true') {
    const [major, minor] = parse(process.versions.node)
    assert.equal(major, suite.major, `CI's Node.js ${process.versions.node}`)
    assert.ok(
      within(suite, minor),
      `CI's Node.js ${process.versions.node} is ${suite.major}.${suite.minMinor}+`,
    )
  }
  assert.ok(
    rows.some((r) => r.major === machineMajor),
    `this Node.js ${process.versions.node} is not a supported version`,
  )
})
