import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadPublicKeys, loadSigningKey } from '../../../src/token/index.js'
import { runCli } from '../../helpers/cli.js'
import { tempDir } from './helpers.js'

const mode = (file: string) => statSync(file).mode & 0o777

function assertOneLineError(r: { code: number; stdout: string; stderr: string }, msg: RegExp) {
  assert.equal(r.code, 2, r.stderr)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^irsa: [^\n]+\n$/)
  assert.match(r.stderr, msg)
}

test('irsa keys generate --help documents the flags', async () => {
  const r = await runCli(['keys', 'generate', '--help'])
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^Usage: irsa keys generate --out DIR \[--type rsa\|ec\] \[--force\]/)
  for (const flag of ['--out DIR', '--type TYPE', '--force'])
    assert.ok(r.stdout.includes(flag), flag)
  const group = await runCli(['keys', '--help'])
  assert.match(group.stdout, /keys generate/)
})

test('writes sa.key (0600) and sa.pub into a new 0700 directory and prints the kid', async (t) => {
  const dir = join(tempDir(t), 'new', 'keys')
  const r = await runCli(['keys', 'generate', '--out', dir])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stderr, '')
  const key = join(dir, 'sa.key')
  const pub = join(dir, 'sa.pub')
  assert.equal(mode(dir), 0o700)
  assert.equal(mode(key), 0o600)
  assert.equal(mode(pub) & 0o600, 0o600)
  const signing = loadSigningKey(readFileSync(key, 'utf8'))
  const [published] = loadPublicKeys(readFileSync(pub, 'utf8'))
  assert.match(readFileSync(key, 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----/)
  assert.match(readFileSync(pub, 'utf8'), /^-----BEGIN PUBLIC KEY-----/)
  assert.equal(published?.kid, signing.kid)
  assert.equal(
    r.stdout,
    `wrote ${key} (RSA-2048 private key, mode 0600)\nwrote ${pub} (public key)\n` +
      `kid ${signing.kid} (RS256)\n`,
  )
})

test('--type ec writes a P-256 key that signs ES256', async (t) => {
  const dir = tempDir(t)
  const r = await runCli(['keys', 'generate', '--out', dir, '--type', 'ec'])
  assert.equal(r.code, 0, r.stderr)
  const signing = loadSigningKey(readFileSync(join(dir, 'sa.key'), 'utf8'))
  assert.equal(signing.alg, 'ES256')
  assert.match(readFileSync(join(dir, 'sa.key'), 'utf8'), /^-----BEGIN EC PRIVATE KEY-----/)
  assert.match(r.stdout, new RegExp(`^kid ${signing.kid} \\(ES256\\)$`, 'm'))
})

test('existing files are kept without --force, replaced (at mode 0600) with it', async (t) => {
  const dir = tempDir(t)
  assert.equal((await runCli(['keys', 'generate', '--out', dir])).code, 0)
  const key = join(dir, 'sa.key')
  const before = readFileSync(key, 'utf8')
  const again = await runCli(['keys', 'generate', '--out', dir])
  assertOneLineError(again, new RegExp(`${key} already exists; use --force to overwrite it`))
  assert.equal(readFileSync(key, 'utf8'), before)
  // Only sa.pub exists: still refused, and no sa.key is written.
  const dir2 = tempDir(t)
  writeFileSync(join(dir2, 'sa.pub'), 'old')
  assertOneLineError(await runCli(['keys', 'generate', '--out', dir2]), /sa\.pub already exists/)
  assert.throws(() => statSync(join(dir2, 'sa.key')), /ENOENT/)
  // --force over a world-readable file: the new key is created 0600, not inheriting 0644.
  writeFileSync(key, 'old key')
  chmodSync(key, 0o644)
  assert.equal(mode(key), 0o644)
  const forced = await runCli(['keys', 'generate', '--out', dir, '--force'])
  assert.equal(forced.code, 0, forced.stderr)
  assert.equal(mode(key), 0o600)
  assert.notEqual(readFileSync(key, 'utf8'), before)
  assert.equal(
    loadSigningKey(readFileSync(key, 'utf8')).kid,
    loadPublicKeys(readFileSync(join(dir, 'sa.pub'), 'utf8'))[0]?.kid,
  )
})

test('bad input gets one line and exit 2', async (t) => {
  const dir = tempDir(t)
  assertOneLineError(await runCli(['keys', 'generate']), /--out is required/)
  assertOneLineError(
    await runCli(['keys', 'generate', '--out', dir, '--type', 'dsa']),
    /--type must be rsa or ec, got 'dsa'/,
  )
  const file = join(dir, 'file')
  writeFileSync(file, 'x')
  assertOneLineError(await runCli(['keys', 'generate', '--out', file]), /file: not a directory/)
})
