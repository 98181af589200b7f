import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { InputError, type Clock } from '../../core/index.js'
import {
  applyManifests,
  localMutationConfig,
  parseManifests,
  DEFAULT_NAMESPACE,
} from '../../local/index.js'
import { LOCAL_CLUSTER, findCluster, openStackStore, stackPlace } from '../../stack/index.js'
import type { Cluster, Store } from '../../store/index.js'
import { EXIT, type Args, type Command, type Io, type OptionSpec } from '../command.js'
import { DATA_DIR_OPTION, dataDirOf } from './up.js'

/** `--cluster`: which local cluster (default `local`). */
export const CLUSTER_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'NAME',
  default: LOCAL_CLUSTER,
  description: 'the local cluster',
}

/** `-n, --namespace`. */
export const NAMESPACE_OPTION: OptionSpec = {
  type: 'string',
  short: 'n',
  valueName: 'NS',
  description: `the namespace (default: ${DEFAULT_NAMESPACE})`,
}

/**
 * Runs `fn` with the data directory's store and the named local cluster; closes the
 * store afterwards. InputError when there is no stack or no such cluster.
 */
export async function withLocalCluster(
  args: Args,
  io: Io,
  fn: (store: Store, cluster: Cluster, clock: Clock) => number | Promise<number>,
): Promise<number> {
  const store = openStackStore(dataDirOf(args, io), io.clock)
  try {
    const cluster = findCluster(store, stackPlace(store), args.string('cluster') ?? LOCAL_CLUSTER)
    return await fn(store, cluster, io.clock)
  } finally {
    store.close()
  }
}

async function readManifest(file: string, io: Io): Promise<string> {
  if (file === '-') return io.readStdin()
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputError(
      code === 'ENOENT'
        ? `the path "${file}" does not exist`
        : `cannot read ${file} (${String(code)})`,
    )
  }
}

const apply: Command = {
  path: ['apply'],
  summary: 'Create or update Namespaces, ServiceAccounts and Pods in a local cluster',
  usage: 'irsa apply -f FILE|- [-n NS] [--cluster NAME] [--data-dir DIR]',
  description:
    'Takes the manifests kubectl apply would take: YAML or JSON documents separated by ---,\n' +
    'each a v1 Namespace, ServiceAccount or Pod, or a v1 List of them. Prints one line per\n' +
    'object (serviceaccount/app created|configured|unchanged). A pod is admitted through the\n' +
    "webhook's mutation, with irsa up's settings, and stored as the webhook left it; its\n" +
    'warnings are printed. A namespace must exist (default, kube-system, kube-public and\n' +
    'kube-node-lease always do). Exit 0 when every object applied, 2 otherwise.',
  options: {
    filename: {
      type: 'string',
      short: 'f',
      valueName: 'FILE',
      description: 'the manifest file, or - for standard input',
    },
    namespace: NAMESPACE_OPTION,
    cluster: CLUSTER_OPTION,
    'data-dir': DATA_DIR_OPTION,
  },
  async run(args, io) {
    const file = args.string('filename')
    if (file === undefined || file === '')
      throw new InputError('must specify -f FILE (or -f - for standard input)')
    const namespace = args.string('namespace')
    const manifests = parseManifests(await readManifest(file, io), {
      source: file,
      ...(namespace !== undefined ? { namespace, enforceNamespace: true } : {}),
    })
    return withLocalCluster(args, io, (store, cluster) => {
      const config = localMutationConfig(store.settings)
      let failed = false
      for (const outcome of applyManifests(store, cluster, manifests, config)) {
        if (outcome.ok) {
          for (const w of outcome.warnings) io.stderr(`Warning: ${w}\n`)
          io.stdout(`${outcome.line}\n`)
        } else {
          failed = true
          io.stderr(`Error from server: error when applying "${file}": ${outcome.error.message}\n`)
        }
      }
      return failed ? EXIT.error : EXIT.ok
    })
  },
}

/** `irsa apply`. */
export const applyCommands: readonly Command[] = [apply]
