/**
 * E2E: `irsa doctor` against the pod rows of k8s-peers-anchor.md §4
 * (test/e2e/doctor-rows/pod/): a ServiceAccount annotated after its pod, a container with
 * its own AWS_ keys, non-root containers of different users without fsGroup, the legacy
 * global STS endpoint, an audience annotation typo; each proven with the pod's own
 * `kubectl exec … aws` (or its admitted spec, where no container runs locally).
 */
import { test } from 'node:test'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the pod rows', { timeout: 600_000 }, (t) => runRowsFile(t, ['pod']))
