import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { repoPath } from '../../helpers/paths.js'
import { loadManifestFolder } from './objects.js'

// There is no Docker engine here: the Dockerfile is checked statically.

interface Instruction {
  op: string
  arg: string
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = []
  let pending = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (pending === '' && (line === '' || line.startsWith('#'))) continue
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' '
      continue
    }
    const full = (pending + line).trim()
    pending = ''
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(full)
    assert.ok(m?.[1] !== undefined && m[2] !== undefined, `unparsable line: ${full}`)
    out.push({ op: m[1].toUpperCase(), arg: m[2] })
  }
  assert.equal(pending, '', 'a dangling continuation line')
  return out
}

/** The instructions of each stage (split at FROM). */
function stages(all: readonly Instruction[]): Instruction[][] {
  const out: Instruction[][] = []
  for (const i of all) {
    if (i.op === 'FROM') out.push([])
    const last = out[out.length - 1]
    assert.ok(last !== undefined, 'an instruction before the first FROM')
    last.push(i)
  }
  return out
}

const dockerfile = instructions(readFileSync(repoPath('Dockerfile'), 'utf8'))

test('the image is built in stages from node:20-bookworm-slim pinned by tag', () => {
  const froms = dockerfile.filter((i) => i.op === 'FROM')
  assert.ok(froms.length >= 2, 'multi-stage')
  for (const f of froms)
    assert.match(f.arg, /^node:20-bookworm-slim(@sha256:[0-9a-f]{64})?( AS \w+)?$/)
})

test('the build stage installs with npm ci, builds, and prunes to production dependencies', () => {
  const [build] = stages(dockerfile)
  assert.ok(build !== undefined)
  const runs = build.filter((i) => i.op === 'RUN').map((i) => i.arg)
  const at = (re: RegExp): number => runs.findIndex((r) => re.test(r))
  const ci = at(/\bnpm ci\b/)
  const compile = at(/\bnpm run build\b/)
  const prune = at(/\bnpm prune --omit=dev\b/)
  assert.ok(ci >= 0 && compile >= 0 && prune >= 0, runs.join('\n'))
  assert.ok(ci <= compile && compile <= prune, 'npm ci, then build, then prune')
  // Everything the build reads is copied in: the lockfile, the npm config, tsconfig, sources.
  const copied = build
    .filter((i) => i.op === 'COPY')
    .map((i) => i.arg)
    .join(' ')
  for (const f of [
    'package.json',
    'package-lock.json',
    '.prebuild-installrc',
    'tsconfig.build.json',
    'tsconfig.base.json',
    'src',
    'bin',
  ]) {
    assert.ok(copied.split(/\s+/).includes(f), `COPY ${f}`)
    assert.ok(existsSync(repoPath(f)), `${f} exists in the repository`)
  }
  const extendsBase = readFileSync(repoPath('tsconfig.build.json'), 'utf8').includes(
    'tsconfig.base.json',
  )
  assert.ok(extendsBase, 'tsconfig.build.json extends tsconfig.base.json (both copied)')
})

test('the final stage runs irsa webhook as a numeric non-root user, with what bin/irsa.js needs', () => {
  const all = stages(dockerfile)
  const final = all[all.length - 1] ?? []
  const user = final.filter((i) => i.op === 'USER')
  assert.equal(user.length, 1)
  const m = /^(\d+)(?::(\d+))?$/.exec(user[0]?.arg ?? '')
  assert.ok(m?.[1] !== undefined, 'USER is numeric (runAsNonRoot can check it)')
  assert.notEqual(Number(m[1]), 0)
  const entry = final.filter((i) => i.op === 'ENTRYPOINT')
  assert.equal(entry.length, 1)
  assert.deepEqual(JSON.parse(entry[0]?.arg ?? ''), ['node', '/app/bin/irsa.js', 'webhook'])
  assert.equal(final.filter((i) => i.op === 'CMD').length, 0, 'the Deployment passes the flags')
  const copies = final.filter((i) => i.op === 'COPY').map((i) => i.arg)
  for (const dir of ['node_modules', 'dist', 'bin', 'package.json'])
    assert.ok(
      copies.some((c) => c.startsWith('--from=build ') && c.includes(`/app/${dir}`)),
      `copies ${dir}`,
    )
  assert.ok(final.some((i) => i.op === 'WORKDIR' && i.arg === '/app'))
  // bin/irsa.js loads the compiled CLI from ../dist, and package.json is an ES module.
  assert.match(
    readFileSync(repoPath('bin', 'irsa.js'), 'utf8'),
    /from '\.\.\/dist\/cli\/index\.js'/,
  )
  assert.equal(
    (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { type?: string }).type,
    'module',
  )

  // The manifests run the pods as the image's user.
  const deployment = loadManifestFolder(repoPath('deploy', 'kustomize', 'base'))
    .flatMap((f) => f.objects)
    .find((o) => o.kind === 'Deployment') as unknown as {
    spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number } } } }
  }
  assert.equal(deployment.spec.template.spec.securityContext.runAsUser, Number(m[1]))
  assert.equal(deployment.spec.template.spec.securityContext.runAsGroup, Number(m[2] ?? m[1]))
})

test('.dockerignore keeps local build output, dependencies and secrets of the checkout out', () => {
  const ignored = readFileSync(repoPath('.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  for (const p of ['.git', 'node_modules', 'dist', 'build', '.irsa'])
    assert.ok(ignored.includes(p), p)
  // Nothing the build copies is ignored.
  for (const p of ['src', 'bin', 'package.json', 'package-lock.json', '.prebuild-installrc'])
    assert.ok(!ignored.includes(p), p)
})
