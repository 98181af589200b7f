import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildDiscovery,
  buildJwks,
  publishTree,
  renderJson,
  writePublishTree,
} from '../../../src/oidc/index.js'
import { describePublicKey } from '../../../src/token/index.js'

const rsa = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
const ec = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)

test('the tree is the self-hosted discovery document and keys.json, relative to the issuer', () => {
  const issuer = 'https://s3.us-east-1.amazonaws.com/my-oidc-bucket'
  const files = publishTree({ issuer, keys: [rsa, ec], legacyEmptyKid: true })
  assert.deepEqual(
    files.map((f) => f.path),
    ['.well-known/openid-configuration', 'keys.json'],
  )
  const discovery = JSON.parse(files[0]!.content) as { jwks_uri: string }
  assert.deepEqual(discovery, buildDiscovery({ issuer, keys: [rsa, ec], form: 'self-hosted' }))
  assert.equal(discovery.jwks_uri, `${issuer}/keys.json`)
  assert.deepEqual(JSON.parse(files[1]!.content), buildJwks([rsa, ec], { legacyEmptyKid: true }))
  for (const f of files) {
    assert.equal(f.contentType, 'application/json')
    assert.equal(f.content, renderJson(JSON.parse(f.content)))
    assert.ok(f.content.startsWith('{\n    "'), '4-space indent')
  }
})

test('writePublishTree writes exactly those files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-publish-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const out = join(dir, 'site')
  const issuer = 'https://oidc.example.com/cluster-a'
  const written = writePublishTree({ outDir: out, issuer, keys: [rsa] })
  assert.deepEqual(written, [
    join(out, '.well-known', 'openid-configuration'),
    join(out, 'keys.json'),
  ])
  assert.deepEqual(readdirSync(out).sort(), ['.well-known', 'keys.json'])
  const expected = publishTree({ issuer, keys: [rsa] })
  assert.equal(readFileSync(written[0]!, 'utf8'), expected[0]!.content)
  assert.equal(readFileSync(written[1]!, 'utf8'), expected[1]!.content)
  assert.throws(() => writePublishTree({ outDir: out, issuer: 'http://x', keys: [rsa] }), /https/)
})
