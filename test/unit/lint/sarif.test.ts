/**
 * `irsa lint --format sarif` against the OASIS SARIF 2.1.0 JSON schema (errata 01, vendored
 * unchanged in test/fixtures/sarif), validated with ajv, an independent JSON Schema
 * validator, plus the properties GitHub code scanning reads: runs[].tool.driver.rules with
 * ids, and results with ruleId, level, message.text and a physical location with a region.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import Ajv from 'ajv'
import { runCli } from '../../helpers/cli.js'
import { repoPath } from '../../helpers/paths.js'
import { casesDir } from './cases.js'

function validator(): Ajv.ValidateFunction {
  const ajv = new Ajv({ schemaId: 'auto', allErrors: true, format: 'full' })
  ajv.addMetaSchema(
    JSON.parse(
      readFileSync(
        repoPath('node_modules', 'ajv', 'lib', 'refs', 'json-schema-draft-04.json'),
        'utf8',
      ),
    ) as object,
  )
  const schema = JSON.parse(
    readFileSync(repoPath('test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'),
  ) as object
  return ajv.compile(schema)
}

interface SarifLog {
  version: string
  runs: {
    tool: { driver: { name: string; rules: { id: string; helpUri?: string }[] } }
    results: {
      ruleId: string
      ruleIndex: number
      level: string
      message: { text: string }
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string }
          region: { startLine: number; startColumn: number }
        }
      }[]
    }[]
  }[]
}

test('the validator rejects what the schema forbids (it really validates)', () => {
  const validate = validator()
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false)
  assert.equal(validate({ version: '2.0.0', runs: [] }), false)
  assert.equal(
    validate({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'x' } },
          results: [{ message: { text: 'm' }, level: 'fatal' }],
        },
      ],
    }),
    false,
  )
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } } }] }), true)
})

test('irsa lint --format sarif validates against the SARIF 2.1.0 schema, with what GitHub reads', async () => {
  const cases = ['trust-no-sub.json', 'action-resource-mismatch.json', 'trust-policy-size.json']
  const dir = casesDir(cases, 'triggers')
  const r = await runCli(['lint', '--format', 'sarif', '--fail-on', 'note', ...cases], { cwd: dir })
  assert.equal(r.code, 1, r.stderr)
  const log = JSON.parse(r.stdout) as SarifLog
  const validate = validator()
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2))
  assert.equal(log.version, '2.1.0')
  const run = log.runs[0]
  assert.ok(run !== undefined)
  const ids = run.tool.driver.rules.map((x) => x.id)
  assert.ok(ids.includes('trust-no-sub') && ids.includes('action-resource-mismatch'))
  assert.ok(run.results.length >= 3)
  for (const res of run.results) {
    assert.equal(run.tool.driver.rules[res.ruleIndex]?.id, res.ruleId)
    assert.ok(['error', 'warning', 'note'].includes(res.level))
    assert.ok(res.message.text.length > 0)
    const loc = res.locations[0]?.physicalLocation
    assert.ok(loc !== undefined && cases.includes(loc.artifactLocation.uri), 'a file location')
    assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1)
  }
})

test('a run with no findings validates too', async () => {
  const cases = ['trust-no-sub.json', 'action-resource-mismatch.json']
  const r = await runCli(['lint', '--format', 'sarif', ...cases], {
    cwd: casesDir(cases, 'passes'),
  })
  assert.equal(r.code, 0, r.stdout)
  const log = JSON.parse(r.stdout) as SarifLog
  assert.deepEqual(log.runs[0]?.results, [])
  assert.ok(validator()(log))
})
