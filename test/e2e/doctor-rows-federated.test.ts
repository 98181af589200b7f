/**
 * E2E: `irsa doctor` against the trust-policy Federated-principal rows of
 * k8s-peers-anchor.md §4 (test/e2e/doctor-rows/trust-federated/): the provider of another
 * account, or of another cluster (a second local cluster, `other`, with its own provider).
 */
import { test } from 'node:test'
import { irsa } from './up-process.js'
import { runRowsFile } from './doctor-rows-stack.js'

test('irsa doctor: the trust-policy Federated principal rows', { timeout: 600_000 }, (t) =>
  runRowsFile(t, ['trust-federated'], {
    vars: async ({ up }) => {
      const other = await irsa(up, ['cluster', 'create', 'other', '--output', 'json'])
      const issuer = (JSON.parse(other.stdout) as { issuer: string }).issuer
      return { OTHER_PROVIDER: issuer.replace(/^https:\/\//, '') }
    },
  }),
)
