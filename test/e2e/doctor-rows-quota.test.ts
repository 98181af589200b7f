/**
 * E2E: `irsa doctor` against the quota rows of k8s-peers-anchor.md §4
 * (test/e2e/doctor-rows/quota/): 100 OIDC providers in the account (none for the cluster),
 * a trust policy with no room left under ACLSizePerRole (2048); and the provider's
 * ClientIDList typo (here, so that no file nears node's 120 s per file).
 */
import { test } from 'node:test'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the quota rows', { timeout: 600_000 }, (t) =>
  runRowsFile(t, ['quota'], { resetEachCase: true }),
)
