import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname } from 'node:path'
import type { Duplex, Writable } from 'node:stream'
import { describeError, type Clock, type Logger } from '../core/index.js'
import { execEnvironment, planPodExec, runWithToken, type SignedToken } from '../local/index.js'
import type { JsonObject } from '../webhook/index.js'
import { isObject, metaString, str } from './json.js'
import { PodLogs, sendLog, tailLines } from './logs.js'
import type { KubeRegistry } from './registry.js'
import { resourceAt, type ResourceInfo } from './resources.js'
import { routeOf, type Route } from './routes.js'
import { KubeApiError, kubeError, kubeStatus, type KubeStatus } from './status.js'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_SECONDS, type TokenIssuer } from './token-request.js'
import {
  CLOSE,
  checkHandshake,
  refuseUpgrade,
  switchingProtocols,
  WebSocketConnection,
  type WsMessage,
} from './websocket.js'

/**
 * `kubectl exec` and `kubectl logs` of simulated pods. No container runs, so exec runs the
 * command on the host as the pod's container would see IRSA (what `irsa exec` does): the
 * container's environment as stored (after the webhook's mutation), the projected token
 * signed by the cluster's key, written to a private file that is refreshed, and
 * `AWS_WEB_IDENTITY_TOKEN_FILE` pointing at it, plus the stack's AWS endpoint.
 *
 * The protocol is client-go's WebSocket executor (tools/remotecommand/websocket.go):
 * subprotocol `v5.channel.k8s.io` (or v4), every message binary, its first byte the
 * channel: 0 stdin, 1 stdout, 2 stderr, 3 the error channel (one `Status` when the
 * command ends), 4 resize; v5 adds 255, a half-close (`[255, channel]`). The exit code is
 * the Status: `Success`, or `Failure` with reason `NonZeroExitCode` and a cause
 * `{reason: ExitCode, message: "N"}` (apimachinery pkg/util/remotecommand, client-go v4.go
 * errorDecoderV4). The server then closes the connection normally (1000), which client-go
 * reads as the end of every stream.
 */

/** The subprotocols served, best first (kubectl 1.32 offers v5 only). */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const

/** The channels (apimachinery pkg/util/remotecommand/constants.go). */
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const

/** What pod exec and logs need. */
export interface PodStreamsDeps {
  readonly registry: KubeRegistry
  readonly clock: Clock
  readonly logger: Logger
  /** The user a request authenticates as, or undefined (401 Unauthorized). */
  readonly authenticate: (req: IncomingMessage) => object | undefined | Promise<object | undefined>
  /** Signs the pod's projected token (the cluster's key). */
  readonly issueToken: TokenIssuer
  /** The environment commands inherit (without static credentials: see execEnvironment). */
  readonly inheritedEnv: () => Readonly<Record<string, string | undefined>>
  /** The local AWS endpoint (`AWS_ENDPOINT_URL`), when there is one. */
  readonly awsEndpoint: () => string | undefined
  /** Where each exec's private token directory is made (default: the system's temp). */
  readonly tempRoot?: string
}

type ResourceRoute = Extract<Route, { type: 'resource' }>

/** The `exec` (WebSocket upgrade) and `log` subresources of one cluster's pods. */
export interface PodStreams {
  /** Answers `GET …/pods/NAME/log`, and a plain (not upgraded) `…/exec` request. */
  readonly serve: (
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ) => void
  /** Answers an upgrade request (the path without the `/clusters/NAME` prefix). */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, path: string) => void
}

function podsResource(): ResourceInfo {
  const r = resourceAt('v1', 'pods')
  if (r === undefined) throw new Error('pods are not served')
  return r
}
const PODS = podsResource()

function containerNames(pod: JsonObject): string[] {
  const spec = pod['spec']
  const containers = isObject(spec) ? spec['containers'] : undefined
  return Array.isArray(containers)
    ? containers.map((c) => (isObject(c) ? str(c['name']) : '')).filter((n) => n !== '')
    : []
}

/** The container a request names, or the pod's only one (kube-apiserver's rules). */
function containerOf(pod: JsonObject, name: string, asked: string | null): string {
  const names = containerNames(pod)
  if (asked !== null && asked !== '') {
    if (!names.includes(asked))
      throw kubeError('BadRequest', { detail: `container ${asked} is not valid for pod ${name}` })
    return asked
  }
  if (names.length === 1 && names[0] !== undefined) return names[0]
  throw kubeError('BadRequest', {
    detail: `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`,
  })
}

/** What a pod does not see of the user's environment: their AWS configuration files. */
const NOT_IN_POD = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'HOME']

function podInherited(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !NOT_IN_POD.includes(k)))
}

const truthy = (v: string | null): boolean => v === 'true' || v === '1'

/** The Status kubelet reports on the error channel for an exit code. */
export function exitStatus(code: number, command: readonly string[]): KubeStatus | JsonObject {
  if (code === 0) return { metadata: {}, status: 'Success' }
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${String(code)}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  }
}

/** A channel's message: the channel byte, then the data. */
function channelMessage(channel: number, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([channel]), data])
}

/** Creates the exec and log subresources of one cluster. */
export function createPodStreams(deps: PodStreamsDeps): PodStreams {
  const logs = new PodLogs()

  /** The pod and container an exec or log request names (throws KubeApiError). */
  function target(
    route: ResourceRoute,
    query: URLSearchParams,
  ): { pod: JsonObject; namespace: string; name: string; container: string } {
    const namespace = route.namespace ?? 'default'
    const name = route.name ?? ''
    const pod = deps.registry.get(PODS, namespace, name)
    return { pod, namespace, name, container: containerOf(pod, name, query.get('container')) }
  }

  function serve(
    _req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): void {
    const t = target(route, query)
    if (route.subresource === 'exec')
      throw kubeError('BadRequest', { detail: 'Upgrade request required' })
    let body = logs.read(t.namespace, t.name, t.container, metaString(t.pod, 'uid'))
    const tail = query.get('tailLines')
    if (tail !== null && /^\d+$/.test(tail)) body = tailLines(body, Number(tail))
    const limit = query.get('limitBytes')
    if (limit !== null && /^\d+$/.test(limit) && Number(limit) > 0)
      body = body.subarray(0, Number(limit))
    sendLog(res, body)
  }

  function run(
    conn: WebSocketConnection,
    t: ReturnType<typeof target>,
    command: readonly string[],
    query: URLSearchParams,
  ): { input: (m: WsMessage) => void; hangUp: () => void } {
    const plan = planPodExec(t.pod, t.container)
    const uid = metaString(t.pod, 'uid')
    const saUid = (() => {
      try {
        return metaString(
          deps.registry.get(serviceAccountsResource(), t.namespace, plan.serviceAccountName),
          'uid',
        )
      } catch {
        return ''
      }
    })()
    const sign = (): SignedToken => {
      const issued = deps.issueToken({
        namespace: t.namespace,
        serviceAccount: { name: plan.serviceAccountName, uid: saUid },
        audiences: [plan.projected?.audience ?? DEFAULT_TOKEN_AUDIENCE],
        expirationSeconds: plan.projected?.expirationSeconds ?? DEFAULT_TOKEN_SECONDS,
        boundPod: { name: t.name, uid },
      })
      return {
        token: issued.token,
        lifetimeSeconds: Math.max(1, Math.floor((issued.expiresAtMs - deps.clock.now()) / 1000)),
      }
    }
    const record = logs.begin(t.namespace, t.name, t.container, uid)
    const wantStdin = truthy(query.get('stdin'))
    let stdin: Writable | undefined
    const pending: Buffer[] = []
    let stdinEnded = false
    let kill: ((signal: NodeJS.Signals) => void) | undefined
    let hungUp = false
    const out = (channel: number) => (text: string) => {
      const data = Buffer.from(text)
      record(data)
      if (truthy(query.get(channel === CHANNEL.stdout ? 'stdout' : 'stderr')))
        conn.sendBinary(channelMessage(channel, data))
    }
    runWithToken({
      command,
      env: (tokenFile) => ({
        ...execEnvironment(podInherited(deps.inheritedEnv()), plan, tokenFile, deps.awsEndpoint()),
        // A container's own home: the private directory, so the AWS CLI's credential
        // cache (~/.aws/cli/cache) is the pod's, not the user's (stale across stacks).
        HOME: dirname(tokenFile),
      }),
      tokenFileName: plan.tokenFileName,
      sign,
      ...(deps.tempRoot !== undefined ? { tempRoot: deps.tempRoot } : {}),
      stdout: out(CHANNEL.stdout),
      stderr: out(CHANNEL.stderr),
      stdin: wantStdin ? 'pipe' : 'ignore',
      onStdin: (w) => {
        stdin = w
        for (const p of pending) w.write(p)
        pending.length = 0
        if (stdinEnded) w.end()
      },
      onSignal: (forward) => {
        kill = forward
        if (hungUp) forward('SIGKILL')
        return () => {
          kill = undefined
        }
      },
    })
      .then((code) => {
        deps.logger.debug({ pod: `${t.namespace}/${t.name}`, code }, 'kube exec ended')
        conn.sendBinary(
          channelMessage(CHANNEL.error, Buffer.from(JSON.stringify(exitStatus(code, command)))),
        )
        conn.close(CLOSE.normal)
      })
      .catch((e: unknown) => {
        const status = kubeStatus('InternalError', {
          detail: `error executing command in container: ${describeError(e)}`,
        })
        conn.sendBinary(channelMessage(CHANNEL.error, Buffer.from(JSON.stringify(status))))
        conn.close(CLOSE.normal)
      })
    return {
      input: (m) => {
        const channel = m.data[0]
        const data = m.data.subarray(1)
        if (channel === CHANNEL.stdin && wantStdin && !stdinEnded) {
          if (stdin === undefined) pending.push(Buffer.from(data))
          else stdin.write(data)
        } else if (channel === CHANNEL.close && data[0] === CHANNEL.stdin && !stdinEnded) {
          stdinEnded = true
          stdin?.end()
        }
      },
      hangUp: () => {
        hungUp = true
        stdin?.destroy()
        kill?.('SIGKILL')
      },
    }
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    socket.on('error', () => undefined)
    const refuse = (status: KubeStatus): void => {
      refuseUpgrade(socket, status.code, status)
    }
    const route = routeOf(path)
    if (
      route.type !== 'resource' ||
      route.resource.kind !== 'Pod' ||
      route.subresource !== 'exec' ||
      route.name === undefined
    ) {
      refuse(kubeStatus('NoSuchResource'))
      return
    }
    void Promise.resolve(deps.authenticate(req)).then(
      (user) => {
        if (user === undefined) refuse(kubeStatus('Unauthorized'))
        else accept(req, socket, head, path, route)
      },
      (e: unknown) => {
        deps.logger.error({ path, err: describeError(e) }, 'kube exec authentication failed')
        refuse(kubeStatus('InternalError', { detail: 'the server failed to answer' }))
      },
    )
  }

  /** An authenticated exec: checked, upgraded, run. */
  function accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    path: string,
    route: Extract<ReturnType<typeof routeOf>, { type: 'resource' }>,
  ): void {
    const refuse = (status: KubeStatus): void => {
      refuseUpgrade(socket, status.code, status)
    }
    const query = new URL(req.url ?? '/', 'https://kubernetes').searchParams
    let t: ReturnType<typeof target>
    try {
      t = target(route, query)
      if (query.getAll('command').length === 0)
        throw kubeError('BadRequest', { detail: 'you must specify at least 1 command' })
      if (truthy(query.get('tty')))
        throw kubeError('BadRequest', {
          detail:
            'tty is not supported: irsa runs the command on the host, not in a container (run kubectl exec without -t)',
        })
    } catch (e) {
      if (e instanceof KubeApiError) {
        refuse(e.status)
        return
      }
      deps.logger.error({ path, err: describeError(e) }, 'kube exec failed')
      refuse(kubeStatus('InternalError', { detail: 'the server failed to answer' }))
      return
    }
    const handshake = checkHandshake(req, EXEC_PROTOCOLS)
    if ('status' in handshake) {
      refuse(kubeStatus('BadRequest', { detail: handshake.message }))
      return
    }
    socket.write(switchingProtocols(handshake.key, handshake.protocol))
    const command = query.getAll('command')
    const live: { session?: ReturnType<typeof run> } = {}
    const conn = new WebSocketConnection({
      socket,
      protocol: handshake.protocol,
      head,
      onMessage: (m) => {
        live.session?.input(m)
      },
      onClose: () => {
        live.session?.hangUp()
      },
    })
    deps.logger.debug(
      { pod: `${t.namespace}/${t.name}`, container: t.container, protocol: conn.protocol },
      'kube exec',
    )
    live.session = run(conn, t, command, query)
  }

  return { serve, upgrade }
}

function serviceAccountsResource(): ResourceInfo {
  const r = resourceAt('v1', 'serviceaccounts')
  if (r === undefined) throw new Error('serviceaccounts are not served')
  return r
}
