/**
 * The child half of test/e2e/store-crash.test.ts (not a test itself). It opens the
 * store in the data directory argv[2]. With argv[3] = `open` it prints `ready`, waits
 * for a line on stdin (so that several children open at once), opens the store, prints
 * the migrations it applied (JSON) and exits. Otherwise, naming rows after the round in argv[3], it
 * performs a stream of writes of four kinds, printing `ack KIND NAME` on stdout only
 * after each one has committed, until it is killed (or, as a bound, after MAX_WRITES
 * writes or MAX_MS).
 */
import { readSync, writeSync } from 'node:fs'
import { systemClock } from '../../src/core/index.js'
import { openStore } from '../../src/store/index.js'

const ACCOUNT = '111122223333'
const MAX_WRITES = 200_000
const MAX_MS = 60_000

const [dir, round] = process.argv.slice(2)
if (dir === undefined || round === undefined)
  throw new Error('usage: store-crash-child DATA_DIR ROUND')
if (round === 'open') {
  writeSync(1, 'ready\n')
  readSync(0, Buffer.alloc(1))
  const opened = openStore({ dir, clock: systemClock })
  writeSync(1, `${JSON.stringify(opened.migration.applied)}\n`)
  opened.close()
  process.exit(0)
}
const store = openStore({ dir, clock: systemClock })
store.accounts.ensure({ id: ACCOUNT })
const ack = (line: string): void => {
  writeSync(1, `ack ${line}\n`)
}
writeSync(1, 'ready\n')
const until = systemClock.now() + MAX_MS
for (let i = 0; i < MAX_WRITES && systemClock.now() < until; i++) {
  const id = `${round}x${String(i)}`
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: `s3:Get${id}`, Resource: '*' }],
  })
  switch (i % 4) {
    case 0:
      store.roles.create({
        accountId: ACCOUNT,
        name: `r${id}`,
        assumeRolePolicyDocument: doc,
        tags: [{ key: 'i', value: id }],
      })
      ack(`role r${id}`)
      break
    case 1:
      store.policies.create({ accountId: ACCOUNT, name: `p${id}`, document: doc })
      ack(`policy p${id}`)
      break
    case 2:
      store.decisions.append({
        requestId: `d${id}`,
        action: 'sts:AssumeRoleWithWebIdentity',
        decision: 'allowed',
        reasons: [id],
      })
      ack(`decision d${id}`)
      break
    default:
      store.transaction(() => {
        store.roles.create({
          accountId: ACCOUNT,
          name: `t${id}`,
          assumeRolePolicyDocument: doc,
        })
        store.rolePolicies.putInline(ACCOUNT, `t${id}`, 'inline', doc)
        store.settings.set(`last-${round}`, id)
      })
      ack(`tx t${id}`)
  }
}
store.close()
