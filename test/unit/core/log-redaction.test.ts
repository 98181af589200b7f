import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CENSOR, MAX_REDACT_DEPTH, createLogger, redactSecrets } from '../../../src/core/index.js'

const SECRET = 'SENTINEL-9f8e7d6c5b4a'

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => string[] } {
  const raw: string[] = []
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => raw.push(s) },
  })
  return { logger, lines: () => raw.join('').trim().split('\n') }
}

test('redactSecrets censors secret keys at any depth, in any case, without touching the input', () => {
  const input = {
    requestId: 'r-1',
    token: SECRET,
    WebIdentityToken: SECRET,
    nested: { SessionToken: SECRET, keep: 'visible', deeper: { secretAccessKey: SECRET } },
    headers: { Authorization: SECRET, 'x-amz-security-token': SECRET, host: 'h' },
    list: [{ privateKey: SECRET }, 'plain'],
    missing: undefined,
  }
  const before = JSON.stringify(input)
  const out = redactSecrets(input)
  assert.equal(JSON.stringify(input), before, 'the logged object is not changed')
  assert.doesNotMatch(JSON.stringify(out), /SENTINEL/)
  assert.equal(out.token, CENSOR)
  assert.equal(out.nested.keep, 'visible')
  assert.equal(out.nested.deeper.secretAccessKey, CENSOR)
  assert.equal(out.headers.host, 'h')
  assert.equal((out.list[0] as { privateKey: string }).privateKey, CENSOR)
  assert.equal(out.list[1], 'plain')
})

test('redactSecrets gives a clean object back as it is, and stops at cycles and depth', () => {
  const clean = { a: 1, b: { c: 'x', tokenFile: '/var/run/token' }, d: [1, 2] }
  assert.equal(redactSecrets(clean), clean)
  const buf = { body: Buffer.from('token') }
  assert.equal(redactSecrets(buf), buf)
  const cyclic: Record<string, unknown> = { name: 'loop' }
  cyclic['self'] = cyclic
  assert.equal(redactSecrets(cyclic), cyclic)
  let deep: Record<string, unknown> = { token: SECRET }
  for (let i = 0; i < MAX_REDACT_DEPTH; i++) deep = { inner: deep }
  assert.doesNotMatch(
    JSON.stringify(redactSecrets(deep)),
    /SENTINEL/,
    'at the deepest level it still looks',
  )
})

test('createLogger: no secret reaches a line, in objects, errors-as-fields, or child bindings', () => {
  const { logger, lines } = capture()
  logger.info({ token: SECRET, who: 'me' }, 'one')
  logger.warn({ creds: { SecretAccessKey: SECRET, AccessKeyId: 'AKIA' } }, 'two')
  const child = logger.child({ sessionToken: SECRET, component: 'c' })
  child.info({ ok: true }, 'three')
  child.child({ authorization: SECRET }).error('four')
  const out = lines()
  assert.equal(out.length, 4)
  for (const line of out) assert.doesNotMatch(line, /SENTINEL/, line)
  type Line = Record<string, unknown>
  const [one, two, three, four] = out.map((l) => JSON.parse(l) as Line) as [Line, Line, Line, Line]
  assert.equal(one['who'], 'me')
  assert.equal(one['token'], CENSOR)
  assert.deepEqual(two['creds'], { SecretAccessKey: CENSOR, AccessKeyId: 'AKIA' })
  assert.equal(three['component'], 'c')
  assert.equal(three['sessionToken'], CENSOR)
  assert.equal(four['component'], 'c', 'a grandchild keeps its parent bindings')
  assert.equal(four['authorization'], CENSOR)
})
