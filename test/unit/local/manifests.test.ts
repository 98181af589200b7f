import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { parseManifests, isLocalError } from '../../../src/local/index.js'
import { repoPath } from '../../helpers/paths.js'

/** One case per file in test/fixtures/local/manifests: parseManifests' answer to `input`. */
interface Case {
  description: string
  input: string
  namespace?: string
  enforceNamespace?: boolean
  expect?: { kind: string; namespace: string; name: string }[]
  expectObject?: unknown
  error?: string
}

const KEYS = new Set([
  'description',
  'input',
  'namespace',
  'enforceNamespace',
  'expect',
  'expectObject',
  'error',
])
const dir = repoPath('test', 'fixtures', 'local', 'manifests')
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))

test('the manifest fixture folder is not empty', () => {
  assert.ok(files.length > 0, `no cases in ${dir}`)
})

for (const file of files) {
  const c = parse(readFileSync(`${dir}/${file}`, 'utf8')) as Case
  test(`manifests/${file}: ${c.description}`, () => {
    for (const k of Object.keys(c)) assert.ok(KEYS.has(k), `${file}: unknown key ${k}`)
    assert.equal((c.expect === undefined) !== (c.error === undefined), true, 'expect or error')
    const run = () =>
      parseManifests(c.input, {
        source: 'test.yaml',
        ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
        ...(c.enforceNamespace !== undefined ? { enforceNamespace: c.enforceNamespace } : {}),
      })
    if (c.error !== undefined) {
      const error = c.error
      assert.throws(run, (e: unknown) => {
        assert.ok(isLocalError(e, 'ERR_LOCAL_MANIFEST'), String(e))
        assert.ok(e.message.startsWith(error), `${e.message}\n  does not start with\n${error}`)
        assert.ok(!e.message.includes('\n'), 'one line')
        return true
      })
      return
    }
    const got = run()
    assert.deepEqual(
      got.map((m) => ({ kind: m.kind, namespace: m.namespace, name: m.name })),
      c.expect,
    )
    if (c.expectObject !== undefined) assert.deepEqual(got[0]?.object, c.expectObject)
  })
}
