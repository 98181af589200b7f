import { InputError, readTextFile } from '../../core/index.js'
import { renderJson } from '../../oidc/index.js'
import {
  addKubeconfigContext,
  checkExternalIssuer,
  clusterDiscovery,
  clusterJwks,
  createLocalCluster,
  importSigningKey,
  servesIssuer,
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
    issuerServed: servesIssuer(c),
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

/** What `cluster get` and `cluster create` say about an issuer the stack does not serve. */
function hostedElsewhere(c: Cluster): string {
  return servesIssuer(c)
    ? ''
    : `  hosted elsewhere: irsa up does not serve this issuer; upload\n` +
        `    irsa cluster discovery ${c.name} > discovery.json   (to ISSUER/.well-known/openid-configuration)\n` +
        `    irsa cluster jwks ${c.name} > keys.json             (to ISSUER/keys.json)\n`
}

/** The --issuer and --signing-key of `cluster create`, checked and loaded. */
function originOf(args: Args, io: Io): Parameters<typeof createLocalCluster>[3] {
  const issuer = args.string('issuer')
  const keyFile = args.string('signing-key')
  return {
    ...(issuer !== undefined ? { issuerUrl: checkExternalIssuer(issuer) } : {}),
    ...(keyFile !== undefined
      ? {
          key: importSigningKey(
            readTextFile(keyFile, '--signing-key', io.cwd),
            `--signing-key ${keyFile}`,
          ),
        }
      : {}),
  }
}

const create: Command = {
  path: ['cluster', 'create'],
  summary: 'Create a local cluster: an OIDC issuer in EKS form with its own signing key',
  usage:
    'irsa cluster create NAME [--issuer URL] [--signing-key FILE] [--data-dir DIR] [--output json]',
  description:
    "Creates cluster NAME in the stack's account and region with a new RSA signing key and the\n" +
    'issuer https://HOST:PORT/id/<32 hex>. A running irsa up serves it at once, and its\n' +
    'Kubernetes API: the context NAME is added to DIR/kubeconfig.\n' +
    '\n' +
    '--issuer URL: the tokens carry this iss instead, and irsa up does not serve it: it is\n' +
    'hosted elsewhere (an S3 bucket, as in the EKS Anywhere guide); upload what\n' +
    "'irsa cluster discovery NAME' and 'irsa cluster jwks NAME' print to\n" +
    'URL/.well-known/openid-configuration and URL/keys.json. --signing-key FILE: sign with\n' +
    'this private key (PEM: RSA PKCS#1 or PKCS#8, or EC P-256/384/521) instead of a new one;\n' +
    'it is published under its kid (SHA-256 of the public key, base64url, as kube-apiserver).',
  positionals: { min: 1, max: 1 },
  options: {
    'data-dir': DATA_DIR_OPTION,
    output: OUTPUT_OPTION,
    issuer: {
      type: 'string',
      valueName: 'URL',
      description: 'an issuer hosted elsewhere (https, no query or fragment); tokens carry it',
    },
    'signing-key': {
      type: 'string',
      valueName: 'FILE',
      description: 'PEM private key to sign with (RSA or EC); default: a new RSA-2048 key',
    },
  },
  run: (args, io) =>
    withStore(args, io, (store) => {
      const fmt = output(args)
      const c = createLocalCluster(
        store,
        stackPlace(store),
        args.requirePositional(0, 'NAME'),
        originOf(args, io),
      )
      const server = kubeServerUrl(store, c.name)
      const context =
        server !== undefined && addKubeconfigContext(store.dir, c.name, server, io.clock)
      io.stdout(
        fmt === 'json'
          ? JSON.stringify(clusterJson(store, c), null, 2) + '\n'
          : `created cluster ${c.name}\n  issuer ${c.issuerUrl}\n` +
              hostedElsewhere(c) +
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
            hostedElsewhere(c) +
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
          r.retired.map((k) => `retired ${k}\n`).join('') +
          (servesIssuer(c)
            ? ''
            : `its issuer is hosted elsewhere: upload 'irsa cluster jwks ${c.name}' to ${c.issuerUrl}/keys.json again\n`),
      )
      return EXIT.ok
    }),
}

const discovery: Command = {
  path: ['cluster', 'discovery'],
  summary: "Print a local cluster's OpenID discovery document (discovery.json)",
  usage: 'irsa cluster discovery NAME [--form self-hosted|kube] [--jwks-uri URL] [--data-dir DIR]',
  description:
    "Prints the discovery document of the cluster's issuer, for an issuer hosted elsewhere\n" +
    '(irsa cluster create --issuer) to upload to ISSUER/.well-known/openid-configuration.\n' +
    "Default form: AWS's self-hosted (S3) one, jwks_uri ISSUER/keys.json, for an issuer hosted\n" +
    "elsewhere; kube-apiserver's (jwks_uri ISSUER/openid/v1/jwks) for one irsa up serves.",
  positionals: { min: 1, max: 1 },
  options: {
    'data-dir': DATA_DIR_OPTION,
    form: { type: 'string', valueName: 'FORM', description: 'self-hosted or kube' },
    'jwks-uri': { type: 'string', valueName: 'URL', description: 'where the JWKS is served' },
  },
  run: (args, io) =>
    withStore(args, io, (store) => {
      const form = args.string('form')
      if (form !== undefined && form !== 'self-hosted' && form !== 'kube')
        throw new InputError(`--form must be self-hosted or kube, got '${form}'`)
      const jwksUri = args.string('jwks-uri')
      const c = findCluster(store, stackPlace(store), args.requirePositional(0, 'NAME'))
      const doc = clusterDiscovery(store, c, {
        ...(form !== undefined ? { form } : {}),
        ...(jwksUri !== undefined ? { jwksUri } : {}),
      })
      io.stdout(renderJson(doc))
      return EXIT.ok
    }),
}

const jwks: Command = {
  path: ['cluster', 'jwks'],
  summary: "Print a local cluster's JWKS (keys.json): its published signing keys",
  usage: 'irsa cluster jwks NAME [--data-dir DIR]',
  description:
    'Prints {"keys":[...]} with the cluster\'s published keys (the signing key first), each\n' +
    'under its kid, for an issuer hosted elsewhere to upload to ISSUER/keys.json. Upload it\n' +
    'again after irsa cluster rotate-keys.',
  positionals: { min: 1, max: 1 },
  options: { 'data-dir': DATA_DIR_OPTION },
  run: (args, io) =>
    withStore(args, io, (store) => {
      const c = findCluster(store, stackPlace(store), args.requirePositional(0, 'NAME'))
      io.stdout(renderJson(clusterJwks(store, c)))
      return EXIT.ok
    }),
}

/** The `irsa cluster …` commands. */
export const clusterCommands: readonly Command[] = [create, listCmd, get, rotate, discovery, jwks]
