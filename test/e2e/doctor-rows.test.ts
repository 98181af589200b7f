/**
 * E2E: `irsa doctor` against the trust-policy `:sub` rows of k8s-peers-anchor.md §4 (wrong
 * namespace, `*` under StringEquals, namespace/name swapped, case only), one broken setup
 * per case file under test/e2e/doctor-rows/trust-sub/ (runner: test/helpers/doctor-rows.ts):
 * each built on one `irsa up` with the real AWS CLI and kubectl, proven broken with a real
 * AssumeRoleWithWebIdentity, diagnosed by doctor (the first failing check, both values) and
 * healed by the fix doctor printed. The other rows are in doctor-rows-*.test.ts, a few per
 * file, each with its own stack: node's runner gives each file 120 s.
 */
import { test } from 'node:test'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the trust-policy :sub rows', { timeout: 600_000 }, (t) =>
  runRowsFile(t, ['trust-sub']),
)
