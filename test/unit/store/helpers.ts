import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { manualClock, type ManualClock } from '../../../src/core/index.js'
import { openStore, type OpenStoreOptions, type Store } from '../../../src/store/index.js'

/** A fixed start time for every store test: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1)
export const ACCOUNT = '111122223333'
export const OTHER_ACCOUNT = '444455556666'

/** A fresh temporary directory, removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-store-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

export interface Fixture {
  readonly store: Store
  readonly clock: ManualClock
  readonly dir: string
  /** Opens the same data directory again (after `store.close()`). */
  readonly reopen: (options?: Partial<OpenStoreOptions>) => Store
}

/** A store in a fresh data directory with {@link ACCOUNT} (and, optionally, more) created. */
export function fixture(
  t: TestContext,
  options: { readonly accounts?: readonly string[] } = {},
): Fixture {
  const dir = join(tempDir(t), 'data')
  const clock = manualClock(T0)
  const opened: Store[] = []
  const open = (o: Partial<OpenStoreOptions> = {}): Store => {
    const s = openStore({ dir, clock, ...o })
    opened.push(s)
    return s
  }
  t.after(() => {
    for (const s of opened) s.close()
  })
  const store = open()
  for (const id of options.accounts ?? [ACCOUNT]) store.accounts.create({ id })
  return { store, clock, dir, reopen: open }
}

/** A syntactically plain trust policy for a web-identity role. */
export function trustPolicy(sub = 'system:serviceaccount:default:app'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/127.0.0.1:8443/id/ABC`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { '127.0.0.1:8443/id/ABC:sub': sub } },
      },
    ],
  })
}

/** A permission policy document allowing `action`. */
export function allow(action: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
  })
}
