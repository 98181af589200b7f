/**
 * E2E: `irsa doctor` against the trust-policy condition-key rows of k8s-peers-anchor.md §4
 * (test/e2e/doctor-rows/trust-key/): the subject under `:aud` where `:sub` was intended,
 * condition keys prefixed with `https://`.
 */
import { test } from 'node:test'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the trust-policy condition-key rows', { timeout: 600_000 }, (t) =>
  runRowsFile(t, ['trust-key']),
)
