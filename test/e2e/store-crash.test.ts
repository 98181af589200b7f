/**
 * docs/store.md#durability: every acknowledged write survives kill -9. A child process
 * writes a stream (roles, policies, decision-log rows, multi-row transactions), printing
 * an acknowledgement after each commit; the test SIGKILLs it mid-stream after N
 * acknowledgements, reopens the database, and checks that every acknowledged write is
 * there, complete, and that SQLite's integrity and foreign-key checks pass. Several
 * rounds run on the same data directory, each continuing the stream and recovering the
 * previous round's WAL.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { manualClock } from '../../src/core/index.js'
import { MIGRATIONS, openStore } from '../../src/store/index.js'
import { repoRoot } from '../helpers/paths.js'

const ACCOUNT = '111122223333'
/** Acknowledgements to wait for before the kill, one round each. */
const ROUNDS = [25, 120, 400, 1000]
const ROUND_TIMEOUT_MS = 30_000

/** The compiled child beside this compiled test, or the .ts one under tsx. */
function childCommand(dataDir: string, round: number | 'open'): string[] {
  const self = fileURLToPath(import.meta.url)
  const ext = extname(self)
  const child = join(dirname(self), `store-crash-child${ext}`)
  const args = [child, dataDir, String(round)]
  return ext === '.ts' ? ['--import', 'tsx', ...args] : args
}

interface Round {
  readonly acked: string[]
  readonly signal: NodeJS.Signals | null
}

/** Runs the child until `kills` acknowledgements, then SIGKILLs it. */
function runRound(dataDir: string, round: number, kills: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childCommand(dataDir, round), {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const acked: string[] = []
    let buffer = ''
    let stderr = ''
    let killed = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `no ${String(kills)} acknowledgements within ${String(ROUND_TIMEOUT_MS)} ms: ${stderr}`,
        ),
      )
    }, ROUND_TIMEOUT_MS)
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(line.slice(4))
        if (!killed && acked.length >= kills) {
          killed = true
          child.kill('SIGKILL')
        }
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (!killed) reject(new Error(`the writer exited on its own (${String(code)}): ${stderr}`))
      else resolve({ acked, signal })
    })
  })
}

test('kill -9 during a stream of writes loses no acknowledged write', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'irsa-crash-'))
  t.after(() => {
    rmSync(root, { recursive: true, force: true })
  })
  const dataDir = join(root, 'data')
  let total = 0
  for (const [round, kills] of ROUNDS.entries()) {
    const { acked, signal } = await runRound(dataDir, round, kills)
    assert.equal(signal, 'SIGKILL')
    assert.ok(acked.length >= kills)
    assert.ok(existsSync(join(dataDir, 'irsa.db-wal')), 'the WAL was left behind: a real crash')

    // SQLite's own verdict on the file, before irsa touches it.
    const raw = new Database(join(dataDir, 'irsa.db'))
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok')
    assert.deepEqual(raw.pragma('foreign_key_check'), [])
    raw.close()

    const store = openStore({ dir: dataDir, clock: manualClock(0) })
    try {
      assert.deepEqual(store.migration.applied, [], 'reopening needs no migration')
      for (const line of acked) {
        const [kind, name] = line.split(' ') as [string, string]
        const what = `acknowledged ${line} is missing after kill -9`
        switch (kind) {
          case 'role': {
            const role = store.roles.get(ACCOUNT, name)
            assert.ok(role, what)
            assert.deepEqual(role.tags, [{ key: 'i', value: name.slice(1) }], what)
            break
          }
          case 'policy':
            assert.equal(
              store.policies.get(`arn:aws:iam::${ACCOUNT}:policy/${name}`)?.defaultVersionId,
              'v1',
              what,
            )
            break
          case 'decision':
            assert.equal(store.decisions.byRequestId(name).length, 1, what)
            break
          case 'tx':
            assert.ok(store.roles.get(ACCOUNT, name), what)
            assert.ok(store.rolePolicies.getInline(ACCOUNT, name, 'inline'), what)
            assert.ok(store.settings.get(`last-${String(round)}`) !== undefined, what)
            break
          default:
            assert.fail(`unknown acknowledgement ${line}`)
        }
      }
      assert.deepEqual(store.check(), [])
    } finally {
      store.close()
    }
    total += acked.length
  }
  assert.ok(total >= ROUNDS.reduce((a, b) => a + b, 0))
})

test('processes opening one fresh data directory at once apply each migration once', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'irsa-race-'))
  t.after(() => {
    rmSync(root, { recursive: true, force: true })
  })
  const dataDir = join(root, 'data')
  const children = [1, 2, 3, 4].map(() => {
    const child = spawn(process.execPath, childCommand(dataDir, 'open'), {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.startsWith('ready\n')) resolve()
      })
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const exit = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      child.on('exit', (code) => {
        resolve({ code, out: out.replace(/^ready\n/, ''), err })
      })
    })
    return { child, ready, exit }
  })
  const timer = setTimeout(() => {
    for (const c of children) c.child.kill('SIGKILL')
  }, ROUND_TIMEOUT_MS)
  // Every child has loaded its code; release them together so their opens overlap.
  await Promise.all(children.map((c) => c.ready))
  for (const c of children) c.child.stdin.end('go\n')
  const runs = await Promise.all(children.map((c) => c.exit))
  clearTimeout(timer)
  for (const r of runs) assert.equal(r.code, 0, r.err)
  const applied = runs.flatMap((r) => JSON.parse(r.out) as number[])
  assert.deepEqual(
    applied.sort(),
    MIGRATIONS.map((m) => m.version),
  )
  const db = new Database(join(dataDir, 'irsa.db'), { readonly: true })
  t.after(() => db.close())
  assert.deepEqual(
    db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
    MIGRATIONS.map((m) => m.version),
  )
})
