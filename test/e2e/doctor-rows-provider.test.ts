/**
 * E2E: `irsa doctor` against the IAM OIDC provider rows of k8s-peers-anchor.md §4
 * (test/e2e/doctor-rows/provider/): no provider, its URL off by a trailing slash or by case.
 */
import { test } from 'node:test'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the provider rows', { timeout: 600_000 }, (t) =>
  runRowsFile(t, ['provider'], { resetEachCase: true }),
)
