/**
 * Trust replay cases: every file under test/fixtures/doctor/trust is one trust policy and the
 * claims of one token. doctor's replay (the policy engine with the request context STS
 * builds) must say what the case expects: allowed, or the closest statement's first failing
 * element with the expected and presented values and the slip it looks like. When the case
 * is fixable, the corrected document must be allowed by the replay, and by nothing else than
 * a change of the failing statement. The runner fails on an empty folder and on unknown keys.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { correctTrust, replayTrust, type TrustQuery } from '../../../src/doctor/index.js'
import { repoPath } from '../../helpers/paths.js'

interface TrustCase {
  readonly file: string
  readonly description: string
  readonly document: unknown
  readonly token: { readonly iss: string; readonly sub: string; readonly aud: string }
  readonly expect: Readonly<Record<string, unknown>>
  readonly fixable: boolean
}

const KEYS = ['description', 'document', 'token', 'expect', 'fixable']

function loadCases(dir: string): TrustCase[] {
  const files = readdirSync(dir).sort()
  if (files.length === 0) throw new Error(`${dir}: no trust cases`)
  return files.map((file) => {
    if (!file.endsWith('.json')) throw new Error(`${file}: not a .json case file`)
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>
    for (const k of Object.keys(raw)) if (!KEYS.includes(k)) throw new Error(`${file}: key ${k}`)
    return { file, ...raw } as unknown as TrustCase
  })
}

const ROLE = 'arn:aws:iam::111122223333:role/app'
const NOW = Date.parse('2026-06-01T00:00:00Z')

function queryOf(c: TrustCase): TrustQuery {
  const url = c.token.iss.replace(/^https:\/\//, '')
  return {
    claims: { ...c.token, exp: NOW / 1000 + 3600 },
    providerUrl: url,
    providerArn: `arn:aws:iam::111122223333:oidc-provider/${url}`,
    audience: c.token.aud,
    sessionName: 'doctor-test',
    nowMs: NOW,
    roleArn: ROLE,
  }
}

for (const c of loadCases(repoPath('test', 'fixtures', 'doctor', 'trust')))
  test(`trust replay: ${c.file}: ${c.description}`, () => {
    const q = queryOf(c)
    const text = JSON.stringify(c.document)
    const r = replayTrust(text, q)
    if (c.expect['allowed'] === true) {
      assert.equal(r.allowed, true)
      assert.equal(correctTrust(text, q), undefined, 'an allowed policy needs no correction')
      return
    }
    if (r.allowed) assert.fail('the replay must deny')
    for (const [k, v] of Object.entries(c.expect))
      assert.deepEqual((r.failure as unknown as Record<string, unknown>)[k], v, `failure.${k}`)
    const fixed = correctTrust(text, q)
    if (!c.fixable) {
      assert.equal(fixed, undefined)
      return
    }
    assert.ok(fixed !== undefined, 'a corrected document')
    assert.equal(replayTrust(fixed, q).allowed, true, `the corrected document is allowed: ${fixed}`)
    const before = JSON.parse(text) as { Statement: unknown[] }
    const after = JSON.parse(fixed) as { Statement: unknown[] }
    assert.equal(after.Statement.length, before.Statement.length, 'no statement added or removed')
  })

test('trust replay: another ServiceAccount is still refused by a corrected document', () => {
  const c = loadCases(repoPath('test', 'fixtures', 'doctor', 'trust')).find(
    (x) => x.file === 'wrong-namespace.json',
  )
  assert.ok(c !== undefined)
  const q = queryOf(c)
  const fixed = correctTrust(JSON.stringify(c.document), q)
  assert.ok(fixed !== undefined)
  const other = { ...q, claims: { ...q.claims, sub: 'system:serviceaccount:default:other' } }
  assert.equal(replayTrust(fixed, other).allowed, false)
})
