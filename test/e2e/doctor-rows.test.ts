/**
 * E2E: `irsa doctor` against the trust-policy and pod rows of k8s-peers-anchor.md §4, one
 * broken setup per case file under test/e2e/doctor-rows/trust/, token/ and pod/ (the runner is
 * test/helpers/doctor-rows.ts): each built on one `irsa up` with the real AWS CLI and
 * kubectl, proven broken with a real AssumeRoleWithWebIdentity (or the pod's own
 * `kubectl exec … aws`), diagnosed by doctor (the first failing check, both values) and
 * healed by the fix doctor printed.
 */
import { test } from 'node:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { repoPath } from '../helpers/paths.js'
import { awsCli, oracle } from '../helpers/tools.js'
import { runRowFile } from '../helpers/doctor-rows.js'
import { irsa, startUp, stopUp, tempDir, TEST_ACCOUNT_ID } from './up-process.js'

const kubectl = (): { skip: string | false } =>
  oracle('kubectl', ['kubectl', 'version', '--client'])

// About twenty real CLI runs per case against one stack; the runner's 120 s default is per
// test, so the file's cases share a larger budget.
test('irsa doctor: the trust-policy and pod failure rows', { timeout: 600_000 }, async (t) => {
  for (const o of [kubectl(), awsCli()])
    if (o.skip !== false) {
      t.skip(o.skip)
      return
    }
  const work = tempDir(t, 'irsa-doctor-rows-')
  mkdirSync(join(work, 'home'))
  const up = await startUp(join(work, '.irsa'))
  t.after(() => stopUp(up, 'SIGKILL'))
  const other = await irsa(up, ['cluster', 'create', 'other', '--output', 'json'])
  const otherIssuer = (JSON.parse(other.stdout) as { issuer: string }).issuer
  const stack = {
    work,
    accountId: TEST_ACCOUNT_ID,
    issuer: up.issuer,
    vars: { OTHER_PROVIDER: otherIssuer.replace(/^https:\/\//, '') },
    // The trust rows leave the cluster's provider alone: creating it is a no-op after the first.
    reset: 'irsa utils associate-iam-oidc-provider --cluster local --approve > /dev/null',
  }
  await runRowFile(t, repoPath('test', 'e2e', 'doctor-rows', 'trust'), stack)
  await runRowFile(t, repoPath('test', 'e2e', 'doctor-rows', 'token'), stack)
  await runRowFile(t, repoPath('test', 'e2e', 'doctor-rows', 'pod'), stack)
})
