import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { KubeConnection, KubeCredentials } from './connection.js'
import { KubeError } from './errors.js'

/** One line of a watch stream. */
export interface WatchEvent {
  /** `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`. */
  readonly type: string
  readonly object: unknown
}

/** An answer of the API server. */
interface KubeResponse {
  readonly status: number
  /** The parsed JSON body, or undefined when it is not JSON. */
  readonly body: unknown
}

/** A small client for the Kubernetes API over `node:https` (or `node:http` for tests). */
export interface KubeClient {
  readonly server: string
  /**
   * `GET path` (relative to the server, with its query); rejects only when no answer came
   * (or `signal` aborted it).
   */
  get(
    path: string,
    o?: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
  ): Promise<KubeResponse>
  /**
   * `GET path` as a watch: calls `onEvent` for each line, resolves when the server ends
   * the stream or `signal` aborts, rejects when the connection drops, goes idle for
   * `idleTimeoutMs`, `onEvent` throws, or the status is not 200 (`ERR_KUBE_API` with it).
   */
  watch(
    path: string,
    onEvent: (e: WatchEvent) => void,
    o: { readonly signal: AbortSignal; readonly idleTimeoutMs?: number },
  ): Promise<void>
  /**
   * `METHOD path` with a JSON body (`contentType` defaults to `application/json`; a merge
   * patch is `application/merge-patch+json`); like {@link get}, every status is returned.
   */
  send(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    o?: { readonly contentType?: string; readonly timeoutMs?: number },
  ): Promise<KubeResponse>
  /** Closes pooled connections. */
  close(): void
}

/** Largest non-watch response accepted (64 MiB). */
const MAX_BODY_BYTES = 64 * 1024 * 1024

/** Creates a client for `conn`. */
export function createKubeClient(conn: KubeConnection): KubeClient {
  const base = new URL(conn.server)
  const secure = base.protocol === 'https:'
  const prefix = base.pathname.replace(/\/+$/, '')
  let agent: HttpAgent | undefined
  let agentKey = ''

  function agentFor(c: KubeCredentials): HttpAgent {
    const key = secure ? `${c.cert ?? ''}\u0000${c.key ?? ''}` : ''
    if (agent !== undefined && key === agentKey) return agent
    agent?.destroy()
    agentKey = key
    agent = secure
      ? new HttpsAgent({
          keepAlive: true,
          ...(conn.ca !== undefined ? { ca: conn.ca } : {}),
          rejectUnauthorized: !conn.insecureSkipTlsVerify,
          ...(conn.tlsServerName !== undefined ? { servername: conn.tlsServerName } : {}),
          ...(c.cert !== undefined && c.key !== undefined ? { cert: c.cert, key: c.key } : {}),
        })
      : new HttpAgent({ keepAlive: true })
    return agent
  }

  async function open(
    path: string,
    o: {
      timeoutMs?: number
      signal?: AbortSignal
      accept: string
      streaming?: boolean
      method?: string
      body?: string
      contentType?: string
    },
  ): Promise<IncomingMessage> {
    const method = o.method ?? 'GET'
    const creds = await conn.credentials.get()
    const url = new URL(prefix + path, base)
    const headers: Record<string, string> = { accept: o.accept, 'user-agent': 'irsa' }
    if (creds.token !== undefined) headers['authorization'] = `Bearer ${creds.token}`
    if (o.body !== undefined) {
      headers['content-type'] = o.contentType ?? 'application/json'
      headers['content-length'] = String(Buffer.byteLength(o.body))
    }
    const send = secure ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method,
        headers,
        agent: agentFor(creds),
        ...(o.signal !== undefined ? { signal: o.signal } : {}),
      })
      if (o.timeoutMs !== undefined) {
        req.setTimeout(o.timeoutMs, () => {
          req.destroy(
            new KubeError(
              'ERR_KUBE_API',
              `${method} ${url.pathname}: no answer within ${o.timeoutMs} ms`,
            ),
          )
        })
      }
      req.on('response', (res) => {
        // A stream's headers arrived: from here on its own idle timeout applies.
        if (o.streaming === true) req.setTimeout(0)
        if (res.statusCode === 401) conn.credentials.invalidate()
        resolve(res)
      })
      req.on('error', (e) => {
        reject(
          e instanceof KubeError
            ? e
            : new KubeError(
                'ERR_KUBE_API',
                `${method} ${url.pathname}: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
              ),
        )
      })
      req.end(o.body)
    })
  }

  function readAll(res: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > MAX_BODY_BYTES) {
          res.destroy(new KubeError('ERR_KUBE_API', 'the API server answer is too large'))
          return
        }
        chunks.push(c)
      })
      res.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'))
      })
      res.on('error', reject)
    })
  }

  function parse(text: string): unknown {
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  }

  return {
    server: conn.server,
    async get(path, o = {}) {
      const res = await open(path, { ...o, accept: 'application/json' })
      const text = await readAll(res)
      return { status: res.statusCode ?? 0, body: parse(text) }
    },
    async send(method, path, body, o = {}) {
      const res = await open(path, {
        method,
        accept: 'application/json',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      })
      const text = await readAll(res)
      return { status: res.statusCode ?? 0, body: parse(text) }
    },
    async watch(path, onEvent, o) {
      let res: IncomingMessage
      try {
        res = await open(path, {
          signal: o.signal,
          accept: 'application/json',
          streaming: true,
          ...(o.idleTimeoutMs !== undefined ? { timeoutMs: o.idleTimeoutMs } : {}),
        })
      } catch (e) {
        if (o.signal.aborted) return
        throw e
      }
      if (res.statusCode !== 200) {
        const body = parse(await readAll(res).catch(() => ''))
        const message =
          typeof body === 'object' &&
          body !== null &&
          typeof (body as Record<string, unknown>)['message'] === 'string'
            ? String((body as Record<string, unknown>)['message'])
            : `status ${res.statusCode ?? 0}`
        throw new KubeError('ERR_KUBE_API', `watch: ${message}`, res.statusCode ?? 0)
      }
      await new Promise<void>((resolve, reject) => {
        let pending = ''
        let done = false
        // The socket goes back to the keep-alive pool afterwards: leave no timeout on it.
        const socket = res.socket
        const onIdle = (): void => {
          res.destroy(new KubeError('ERR_KUBE_API', `watch: idle for ${o.idleTimeoutMs ?? 0} ms`))
        }
        if (o.idleTimeoutMs !== undefined) {
          socket.setTimeout(o.idleTimeoutMs)
          socket.on('timeout', onIdle)
        }
        const finish = (e?: unknown): void => {
          if (done) return
          done = true
          if (o.idleTimeoutMs !== undefined) {
            socket.setTimeout(0)
            socket.off('timeout', onIdle)
          }
          if (e === undefined || o.signal.aborted) resolve()
          else reject(e instanceof Error ? e : new KubeError('ERR_KUBE_API', 'watch failed'))
        }
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          pending += chunk
          let nl = pending.indexOf('\n')
          while (nl !== -1) {
            const line = pending.slice(0, nl).trim()
            pending = pending.slice(nl + 1)
            nl = pending.indexOf('\n')
            if (line === '') continue
            const ev = parse(line)
            if (
              typeof ev !== 'object' ||
              ev === null ||
              typeof (ev as Record<string, unknown>)['type'] !== 'string'
            ) {
              res.destroy()
              finish(new KubeError('ERR_KUBE_API', 'watch: a line is not a watch event'))
              return
            }
            try {
              onEvent(ev as WatchEvent)
            } catch (e) {
              res.destroy()
              finish(e)
              return
            }
          }
        })
        res.on('end', () => {
          finish()
        })
        res.on('error', (e) => {
          finish(
            e instanceof KubeError
              ? e
              : new KubeError('ERR_KUBE_API', 'watch: the connection dropped'),
          )
        })
        res.on('close', () => {
          finish(
            res.complete
              ? undefined
              : new KubeError('ERR_KUBE_API', 'watch: the connection dropped'),
          )
        })
      })
    },
    close() {
      agent?.destroy()
      agent = undefined
    },
  }
}
