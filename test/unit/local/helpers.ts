import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { manualClock, type ManualClock } from '../../../src/core/index.js'
import { bootstrapAccount, issuerUrlFor, SETTINGS } from '../../../src/stack/index.js'
import { openStore, type Cluster, type Store } from '../../../src/store/index.js'

/** 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1)
export const ACCOUNT = '111122223333'
export const REGION = 'us-west-2'
export const ENDPOINT = 'http://127.0.0.1:4566'

export interface LocalFixture {
  readonly dir: string
  readonly store: Store
  readonly cluster: Cluster
  readonly clock: ManualClock
}

/**
 * A data directory as a first `irsa up` leaves it (account, cluster `local` with its key,
 * the stack settings), without starting any server.
 */
export function localFixture(t: TestContext): LocalFixture {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-local-'))
  const clock = manualClock(T0)
  const store = openStore({ dir, clock })
  t.after(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const place = { accountId: ACCOUNT, region: REGION, issuerUrlOf: issuerUrlFor('127.0.0.1', 8443) }
  const boot = bootstrapAccount(store, place)
  store.settings.setMany({
    [SETTINGS.host]: '127.0.0.1',
    [SETTINGS.awsPort]: '4566',
    [SETTINGS.oidcPort]: '8443',
    [SETTINGS.awsEndpoint]: ENDPOINT,
    [SETTINGS.accountId]: ACCOUNT,
    [SETTINGS.region]: REGION,
  })
  if (boot.createdCluster === undefined) throw new Error('bootstrap made no cluster')
  return { dir, store, cluster: boot.createdCluster, clock }
}

/** A ServiceAccount manifest, with the role annotation when `role` is given. */
export function saYaml(name: string, namespace = 'default', role?: string): string {
  return [
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    ...(role !== undefined ? ['  annotations:', `    eks.amazonaws.com/role-arn: ${role}`] : []),
    '',
  ].join('\n')
}

/** A one-container pod manifest using `sa`. */
export function podYaml(name: string, sa: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    `  serviceAccountName: ${sa}`,
    '  containers:',
    '    - name: app',
    '      image: public.ecr.aws/aws-cli/aws-cli',
    '',
  ].join('\n')
}

export const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`
