import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse } from 'yaml'
import type { Clock } from '../core/index.js'
import {
  staticCredentials,
  type CredentialSource,
  type KubeConnection,
  type KubeCredentials,
} from './connection.js'
import { KubeError } from './errors.js'
import { EXEC_API_VERSIONS, execCredentials, type ExecConfig } from './exec-credential.js'
import { tokenFileCredentials } from './in-cluster.js'

type Rec = Record<string, unknown>

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function fail(message: string): never {
  throw new KubeError('ERR_KUBE_CONFIG', message)
}

function str(o: Rec, key: string, where: string): string | undefined {
  const v = o[key]
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v !== 'string') fail(`${where}.${key} must be a string`)
  return v
}

function named(list: unknown, kind: string, name: string, file: string): Rec {
  if (list !== undefined && list !== null && !Array.isArray(list))
    fail(`${file}: ${kind}s must be a list`)
  for (const item of (list as unknown[] | undefined) ?? []) {
    if (isRecord(item) && item['name'] === name) {
      const body = item[kind]
      return isRecord(body) ? body : {}
    }
  }
  return fail(`${file}: no ${kind} named ${JSON.stringify(name)}`)
}

/** Options of {@link loadKubeconfig}. */
interface KubeconfigOptions {
  readonly clock: Clock
  /** The context to use instead of `current-context`. */
  readonly context?: string
  /** The environment exec plugins inherit. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/**
 * Reads a kubeconfig file and resolves its current context (or `o.context`) to a
 * connection: the cluster's `server`, `certificate-authority(-data)`,
 * `insecure-skip-tls-verify` and `tls-server-name`; the user's `token`, `tokenFile`,
 * `client-certificate(-data)` / `client-key(-data)` and `exec` plugin
 * (`client.authentication.k8s.io/v1` or `v1beta1`). Relative file paths are relative to
 * the kubeconfig's folder. `auth-provider`, basic auth and `proxy-url` are refused with
 * `ERR_KUBE_CONFIG`, as is anything missing.
 */
export function loadKubeconfig(path: string, o: KubeconfigOptions): KubeConnection {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    fail(`kubeconfig ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  return parseKubeconfig(text, { ...o, path })
}

/** {@link loadKubeconfig} on text already read; `path` names it and anchors relative paths. */
function parseKubeconfig(
  text: string,
  o: KubeconfigOptions & { readonly path: string },
): KubeConnection {
  const file = `kubeconfig ${o.path}`
  let doc: unknown
  try {
    doc = parse(text)
  } catch {
    fail(`${file}: not valid YAML`)
  }
  if (!isRecord(doc)) fail(`${file}: not a kubeconfig (expected a mapping)`)
  const baseDir = dirname(resolve(o.path))
  const contextName = o.context ?? str(doc, 'current-context', 'kubeconfig')
  if (contextName === undefined) fail(`${file}: no current-context; pass a context`)
  const context = named(doc['contexts'], 'context', contextName, file)
  const clusterName = str(context, 'cluster', `context ${contextName}`)
  if (clusterName === undefined)
    fail(`${file}: context ${JSON.stringify(contextName)} names no cluster`)
  const cluster = named(doc['clusters'], 'cluster', clusterName, file)
  const userName = str(context, 'user', `context ${contextName}`)
  const user = userName === undefined ? {} : named(doc['users'], 'user', userName, file)

  const readPath = (p: string, what: string): string => {
    const full = isAbsolute(p) ? p : resolve(baseDir, p)
    try {
      return readFileSync(full, 'utf8')
    } catch (e) {
      return fail(
        `${file}: ${what} ${full}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      )
    }
  }
  const data = (rec: Rec, key: string, where: string): string | undefined => {
    const v = str(rec, `${key}-data`, where)
    if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8')
    const p = str(rec, key, where)
    return p === undefined ? undefined : readPath(p, key)
  }

  const where = `cluster ${clusterName}`
  const server = str(cluster, 'server', where)
  if (server === undefined) fail(`${file}: ${where} has no server`)
  if (!/^https?:\/\//.test(server)) fail(`${file}: ${where} server must be an https:// URL`)
  if (str(cluster, 'proxy-url', where) !== undefined)
    fail(`${file}: ${where}: proxy-url is not supported`)
  const caData = str(cluster, 'certificate-authority-data', where)
  const ca = data(cluster, 'certificate-authority', where)
  const insecure = cluster['insecure-skip-tls-verify'] === true
  const tlsServerName = str(cluster, 'tls-server-name', where)

  const uwhere = `user ${userName ?? ''}`
  if (user['auth-provider'] !== undefined)
    fail(`${file}: ${uwhere}: auth-provider is not supported; use an exec plugin`)
  if (user['username'] !== undefined || user['password'] !== undefined)
    fail(`${file}: ${uwhere}: basic auth is not supported`)
  const cert = data(user, 'client-certificate', uwhere)
  const key = data(user, 'client-key', uwhere)
  if ((cert === undefined) !== (key === undefined))
    fail(`${file}: ${uwhere}: client-certificate and client-key go together`)
  const tlsPair: KubeCredentials = cert !== undefined && key !== undefined ? { cert, key } : {}

  let credentials: CredentialSource
  const token = str(user, 'token', uwhere)
  const tokenFile = str(user, 'tokenFile', uwhere)
  const exec = user['exec']
  if (token !== undefined) credentials = staticCredentials({ ...tlsPair, token })
  else if (tokenFile !== undefined) {
    const tf = tokenFileCredentials(
      isAbsolute(tokenFile) ? tokenFile : resolve(baseDir, tokenFile),
      o.clock,
    )
    void tf.get() // fails now, with its message, when the file cannot be read
    credentials = withPair(tf, tlsPair)
  } else if (exec !== undefined) {
    const config = readExec(exec, baseDir, file, uwhere)
    const execSource = execCredentials(config, {
      clock: o.clock,
      ...(o.env !== undefined ? { env: o.env } : {}),
      cluster: {
        server,
        ...(caData !== undefined ? { 'certificate-authority-data': caData } : {}),
        ...(insecure ? { 'insecure-skip-tls-verify': true } : {}),
        ...(tlsServerName !== undefined ? { 'tls-server-name': tlsServerName } : {}),
      },
    })
    credentials = withPair(execSource, tlsPair)
  } else credentials = staticCredentials(tlsPair)

  return {
    server: server.replace(/\/+$/, ''),
    ...(ca !== undefined ? { ca } : {}),
    insecureSkipTlsVerify: insecure,
    ...(tlsServerName !== undefined ? { tlsServerName } : {}),
    credentials,
    source: `${file} context ${contextName}`,
  }
}

/** Adds a kubeconfig's client certificate to credentials that lack one. */
function withPair(source: CredentialSource, pair: KubeCredentials): CredentialSource {
  if (pair.cert === undefined) return source
  const merge = (c: KubeCredentials): KubeCredentials =>
    c.cert === undefined ? { ...pair, ...c } : c
  return {
    get() {
      const c = source.get()
      return c instanceof Promise ? c.then(merge) : merge(c)
    },
    invalidate: () => {
      source.invalidate()
    },
  }
}

function readExec(exec: unknown, baseDir: string, file: string, where: string): ExecConfig {
  if (!isRecord(exec)) fail(`${file}: ${where}: exec must be a mapping`)
  const w = `${where} exec`
  const apiVersion = str(exec, 'apiVersion', w)
  if (!EXEC_API_VERSIONS.includes(apiVersion as ExecConfig['apiVersion']))
    fail(
      `${file}: ${w}: apiVersion must be ${EXEC_API_VERSIONS.join(' or ')}, got ${JSON.stringify(apiVersion ?? '')}`,
    )
  const command = str(exec, 'command', w)
  if (command === undefined) fail(`${file}: ${w}: no command`)
  const args = exec['args'] ?? []
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    fail(`${file}: ${w}: args must be strings`)
  const envList = exec['env'] ?? []
  if (!Array.isArray(envList)) fail(`${file}: ${w}: env must be a list`)
  const env = envList.map((e) => {
    if (!isRecord(e) || typeof e['name'] !== 'string' || typeof e['value'] !== 'string')
      fail(`${file}: ${w}: each env entry needs a name and a value`)
    return { name: e['name'], value: e['value'] }
  })
  return {
    apiVersion: apiVersion as ExecConfig['apiVersion'],
    // client-go: a relative command with a path separator is relative to the kubeconfig.
    command: command.includes('/') && !isAbsolute(command) ? resolve(baseDir, command) : command,
    args,
    env,
    provideClusterInfo: exec['provideClusterInfo'] === true,
    interactiveMode: str(exec, 'interactiveMode', w) ?? 'IfAvailable',
  }
}

/**
 * The context names of a kubeconfig file and its `current-context`, to choose one before
 * {@link loadKubeconfig}; `ERR_KUBE_CONFIG` when the file cannot be read or parsed.
 */
export function kubeconfigContexts(path: string): {
  readonly names: readonly string[]
  readonly current: string | undefined
} {
  let doc: unknown
  try {
    doc = parse(readFileSync(path, 'utf8'))
  } catch (e) {
    fail(`kubeconfig ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (!isRecord(doc)) fail(`kubeconfig ${path}: not a kubeconfig`)
  const list = Array.isArray(doc['contexts']) ? (doc['contexts'] as unknown[]) : []
  const names = list.flatMap((c) =>
    isRecord(c) && typeof c['name'] === 'string' ? [c['name']] : [],
  )
  const cur = doc['current-context']
  return { names, current: typeof cur === 'string' && cur !== '' ? cur : undefined }
}
