/**
 * E2E: `irsa doctor` against the token rows of k8s-peers-anchor.md §4
 * (test/e2e/doctor-rows/token/), doctor started from a token file: a stale token (signed
 * by the cluster's key two hours ago), a token whose kid the cluster's JWKS does not publish.
 */
import { test } from 'node:test'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the token rows', { timeout: 600_000 }, (t) => runRowsFile(t, ['token']))
