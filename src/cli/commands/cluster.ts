import { InputError } from '../../core/index.js'
import {
  addKubeconfigContext,
  createLocalCluster,
  kubeServerUrl,
  findCluster,
  openStackStore,
  rotateClusterKeys,
  stackPlace,
} from '../../stack/index.js'
import type { Cluster, Store } from '../../store/index.js'
import { EXIT, type Args, type Command, type Io } from '../command.js'
import { DATA_DIR_OPTION, dataDirOf } from './up.js'

const OUTPUT_OPTION = {
  type: 'string',
  valueName: 'FORMAT',
  default: 'text',
  description: 'text or json',
} as const

function output(args: Args): 'text' | 'json' {
  const o = args.string('output') ?? 'text'
  if (o !== 'text' && o !== 'json')
    throw new InputError(`--output must be text or json, got '${o}'`)
  return o
}

async function withStore(args: Args, io: Io, fn: (store: Store) => number): Promise<number> {
  const store = openStackStore(dataDirOf(args, io), io.clock)
  try {
    return await Promise.resolve(fn(store))
  } finally {
    store.close()
  }
}

function clusterJson(store: Store, c: Cluster): Record<string, unknown> {
  const keys = store.clusters.listKeys(c.arn)
  return {
    name: c.name,
    arn: c.arn,
    accountId: c.accountId,
    region: c.region,
    issuer: c.issuerUrl,
    createdAt: new Date(c.createdAt).toISOString(),
    signingKid: keys.find((k) => k.current)?.kid ?? null,
    keys: keys.map((k) => ({
      kid: k.kid,
      alg: k.alg,
      current: k.current,
      publishedAt: new Date(k.publishedAt).toISOString(),
    })),
  }
}

const create: Command = {
  path: ['cluster', 'create'],
  summary: 'Create a local cluster: an OIDC issuer in EKS form with its own signing key',
  usage: 'irsa cluster create NAME [--data-dir DIR] [--output json]',
  description:
    "Creates cluster NAME in the stack's account and region with a new RSA signing key and the\n" +
    'issuer https://HOST:PORT/id/<32 hex>. A running irsa up serves it at once, and its\n' +
    'Kubernetes API: the context NAME is added to DIR/kubeconfig.',
  positionals: { min: 1, max: 1 },
  options: { 'data-dir': DATA_DIR_OPTION, output: OUTPUT_OPTION },
  run: (args, io) =>
    withStore(args, io, (store) => {
      const fmt = output(args)
      const c = createLocalCluster(store, stackPlace(store), args.requirePositional(0, 'NAME'))
      const server = kubeServerUrl(store, c.name)
      const context =
        server !== undefined && addKubeconfigContext(store.dir, c.name, server, io.clock)
      io.stdout(
        fmt === 'json'
          ? JSON.stringify(clusterJson(store, c), null, 2) + '\n'
          : `created cluster ${c.name}\n  issuer ${c.issuerUrl}\n` +
              (context ? `  kubectl context ${c.name} in ${store.dir}/kubeconfig\n` : ''),
      )
      return EXIT.ok
    }),
}

const listCmd: Command = {
  path: ['cluster', 'list'],
  summary: 'List the local clusters and their issuers',
  usage: 'irsa cluster list [--data-dir DIR] [--output json]',
  options: { 'data-dir': DATA_DIR_OPTION, output: OUTPUT_OPTION },
  run: (args, io) =>
    withStore(args, io, (store) => {
      const fmt = output(args)
      const place = stackPlace(store)
      const clusters = store.clusters.list({ accountId: place.accountId, region: place.region })
      if (fmt === 'json')
        io.stdout(
          JSON.stringify(
            clusters.map((c) => clusterJson(store, c)),
            null,
            2,
          ) + '\n',
        )
      else {
        const width = Math.max(4, ...clusters.map((c) => c.name.length))
        io.stdout(`${'NAME'.padEnd(width)}  ISSUER\n`)
        for (const c of clusters) io.stdout(`${c.name.padEnd(width)}  ${c.issuerUrl}\n`)
      }
      return EXIT.ok
    }),
}

const get: Command = {
  path: ['cluster', 'get'],
  summary: 'Show a local cluster: ARN, issuer URL and signing keys',
  usage: 'irsa cluster get NAME [--data-dir DIR] [--output json]',
  positionals: { min: 1, max: 1 },
  options: { 'data-dir': DATA_DIR_OPTION, output: OUTPUT_OPTION },
  run: (args, io) =>
    withStore(args, io, (store) => {
      const fmt = output(args)
      const c = findCluster(store, stackPlace(store), args.requirePositional(0, 'NAME'))
      const j = clusterJson(store, c)
      if (fmt === 'json') io.stdout(JSON.stringify(j, null, 2) + '\n')
      else {
        const keys = store.clusters.listKeys(c.arn)
        io.stdout(
          `name     ${c.name}\narn      ${c.arn}\nissuer   ${c.issuerUrl}\n` +
            `created  ${String(j['createdAt'])}\n` +
            keys
              .map((k) => `key      ${k.kid} ${k.alg}${k.current ? ' (signing)' : ''}\n`)
              .join(''),
        )
      }
      return EXIT.ok
    }),
}

const rotate: Command = {
  path: ['cluster', 'rotate-keys'],
  summary: "Rotate a local cluster's signing key (the old key stays published)",
  usage: 'irsa cluster rotate-keys NAME [--data-dir DIR]',
  description:
    'Adds a new signing key that signs from now on; the previous key stays in the JWKS so\n' +
    'tokens it signed keep verifying, and keys that stopped signing over a day ago are retired.\n' +
    'A running irsa up serves the new key set on its next request.',
  positionals: { min: 1, max: 1 },
  options: { 'data-dir': DATA_DIR_OPTION },
  run: (args, io) =>
    withStore(args, io, (store) => {
      const c = findCluster(store, stackPlace(store), args.requirePositional(0, 'NAME'))
      const r = rotateClusterKeys(store, c, io.clock)
      io.stdout(
        `cluster ${c.name} now signs with ${r.signing.kid}` +
          (r.previousKid !== undefined ? ` (${r.previousKid} stays published)` : '') +
          '\n' +
          r.retired.map((k) => `retired ${k}\n`).join(''),
      )
      return EXIT.ok
    }),
}

/** The `irsa cluster …` commands. */
export const clusterCommands: readonly Command[] = [create, listCmd, get, rotate]
