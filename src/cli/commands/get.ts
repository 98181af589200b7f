import { InputError } from '../../core/index.js'
import {
  formatObjects,
  formatTable,
  getObjects,
  isLocalError,
  kindOfResource,
  noResources,
  DEFAULT_NAMESPACE,
} from '../../local/index.js'
import { EXIT, type Command } from '../command.js'
import { CLUSTER_OPTION, NAMESPACE_OPTION, withLocalCluster } from './apply.js'
import { DATA_DIR_OPTION } from './up.js'

const get: Command = {
  path: ['get'],
  summary: 'Show the ServiceAccounts or Pods of a local cluster',
  usage:
    'irsa get serviceaccounts|sa|pods|po [NAME] [-n NS | -A] [--output yaml|json] [--cluster NAME] [--data-dir DIR]',
  description:
    'Like kubectl get: a table by default (ServiceAccounts: NAME SECRETS AGE; pods: NAME READY\n' +
    'STATUS RESTARTS AGE), or the objects as the API server would return them with -o yaml or\n' +
    '-o json (a v1 List unless NAME is given). A local pod is a record of what admission\n' +
    'stored; it never runs (READY 0/N, STATUS Pending): use irsa exec to run a process as it.\n' +
    "A NAME that is not there is kubectl's NotFound, exit 1.",
  options: {
    namespace: NAMESPACE_OPTION,
    'all-namespaces': { type: 'boolean', short: 'A', description: 'list every namespace' },
    output: { type: 'string', short: 'o', valueName: 'FORMAT', description: 'yaml or json' },
    cluster: CLUSTER_OPTION,
    'data-dir': DATA_DIR_OPTION,
  },
  positionals: { min: 1, max: 2 },
  async run(args, io) {
    const kind = kindOfResource(args.requirePositional(0, 'the resource type'))
    const name = args.positional(1)
    const output = args.string('output')
    if (output !== undefined && output !== 'yaml' && output !== 'json')
      throw new InputError(`--output must be yaml or json, got '${output}'`)
    const all = args.boolean('all-namespaces')
    if (all && name !== undefined)
      throw new InputError('a resource cannot be retrieved by name across all namespaces')
    const namespace = args.string('namespace') ?? DEFAULT_NAMESPACE
    return withLocalCluster(args, io, (store, cluster, clock) => {
      let records
      try {
        records = getObjects(store, cluster.arn, {
          kind,
          namespace,
          allNamespaces: all,
          ...(name !== undefined ? { name } : {}),
        })
      } catch (e) {
        if (!isLocalError(e, 'ERR_LOCAL_NOT_FOUND')) throw e
        io.stderr(`Error from server (NotFound): ${e.message}\n`)
        return EXIT.negative
      }
      if (output !== undefined) {
        io.stdout(formatObjects(records, output, name !== undefined))
        return EXIT.ok
      }
      if (records.length === 0) {
        io.stderr(noResources(namespace, all))
        return EXIT.ok
      }
      io.stdout(formatTable(kind, records, clock.now(), all))
      return EXIT.ok
    })
  },
}

/** `irsa get`. */
export const getCommands: readonly Command[] = [get]
