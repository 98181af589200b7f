/**
 * E2E: `irsa doctor` against the trust-policy rows of k8s-peers-anchor.md §4 that are not
 * about the `:sub` value (test/e2e/doctor-rows/trust-principal/): the subject under `:aud`,
 * condition keys with a scheme, the Federated principal of another account or another
 * cluster (a second local cluster, `other`, with its own provider).
 */
import { test } from 'node:test'
import { irsa } from './up-process.js'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the trust-policy principal and key rows', { timeout: 600_000 }, (t) =>
  runRowsFile(t, ['trust-principal'], {
    vars: async ({ up }) => {
      const other = await irsa(up, ['cluster', 'create', 'other', '--output', 'json'])
      const issuer = (JSON.parse(other.stdout) as { issuer: string }).issuer
      return { OTHER_PROVIDER: issuer.replace(/^https:\/\//, '') }
    },
  }),
)
