import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

/**
 * An in-process Kubernetes API server that speaks just enough for ServiceAccounts: list
 * (paged with limit/continue), watch (from a resourceVersion, with bookmarks and 410
 * Gone for compacted history) and GET one. Listens on 127.0.0.1:0, plain HTTP or HTTPS.
 */
export interface FakeApiServer {
  readonly origin: string
  /** Every request: method, path with query, and the Authorization header. */
  readonly requests: { path: string; authorization: string | undefined; clientCert?: string }[]
  /** The resourceVersion of every watch request, in order. */
  readonly watchVersions: string[]
  add(namespace: string, name: string, annotations?: Record<string, string>): string
  update(namespace: string, name: string, annotations: Record<string, string>): string
  remove(namespace: string, name: string): string
  /** A ServiceAccount only a GET can see (not listed, never watched): a cache miss. */
  addHidden(namespace: string, name: string, annotations?: Record<string, string>): void
  /** Sends a BOOKMARK at the current resourceVersion to open watches. */
  bookmark(): void
  /** Cuts every open watch connection without ending the response. */
  dropWatches(): void
  /** Forgets the event history: a watch from an older resourceVersion gets 410 Gone. */
  compact(): void
  /** How the next watch requests answer: normally, or with an HTTP status. */
  failWatches(status: number | undefined): void
  /** Holds GETs of single ServiceAccounts until `release()` (to outlast a grace period). */
  holdGets(): { release: () => void }
  /** Holds list requests until `release()` (to stop an informer in the middle of a list). */
  holdLists(): { release: () => void }
  /** Requires `Authorization: Bearer <token>` (401 otherwise). */
  requireToken(token: string | undefined): void
  openWatches(): number
  /** Calls `listener` after each request is handled and each watch opens or closes. */
  onActivity(listener: () => void): void
  close(): Promise<void>
}

interface Sa {
  metadata: {
    name: string
    namespace: string
    uid: string
    resourceVersion: string
    annotations?: Record<string, string>
    labels?: Record<string, string>
  }
  secrets?: unknown[]
}

export async function startFakeApiServer(
  o: { tls?: { cert: string; key: string; ca?: string } } = {},
): Promise<FakeApiServer> {
  let rv = 100
  const objects = new Map<string, Sa>()
  const hidden = new Map<string, Sa>()
  let history: { rv: number; type: string; object: Sa }[] = []
  let compactedAt = 0
  const watches = new Set<{ res: ServerResponse; socket: Socket }>()
  const requests: FakeApiServer['requests'] = []
  const watchVersions: string[] = []
  let watchFailure: number | undefined
  let token: string | undefined
  let hold: Promise<void> | undefined
  let holdList: Promise<void> | undefined
  const listeners: (() => void)[] = []
  const notify = (): void => {
    setImmediate(() => {
      for (const l of listeners) l()
    })
  }

  const make = (ns: string, name: string, annotations?: Record<string, string>): Sa => ({
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${ns}-${name}`,
      resourceVersion: String(++rv),
      ...(annotations !== undefined ? { annotations: { ...annotations } } : {}),
      labels: { team: 'x' },
    },
    secrets: [{ name: `${name}-token` }],
  })
  const emit = (type: string, object: Sa): void => {
    history.push({ rv: Number(object.metadata.resourceVersion), type, object })
    for (const w of watches) w.res.write(JSON.stringify({ type, object }) + '\n')
  }
  const status = (res: ServerResponse, code: number, reason: string, message: string): void => {
    res.writeHead(code, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message,
        reason,
        code,
      }),
    )
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('finish', notify)
    res.on('close', notify)
    notify()
    const url = new URL(req.url ?? '/', 'http://x')
    const socket = req.socket as Socket & {
      getPeerCertificate?: () => { subject?: { CN?: string } }
    }
    const cn = socket.getPeerCertificate?.().subject?.CN
    requests.push({
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
      ...(cn !== undefined ? { clientCert: cn } : {}),
    })
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      status(res, 401, 'Unauthorized', 'Unauthorized')
      return
    }
    const one = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/.exec(url.pathname)
    if (one !== null) {
      const key = `${decodeURIComponent(one[1]!)}/${decodeURIComponent(one[2]!)}`
      const answer = (): void => {
        const sa = objects.get(key) ?? hidden.get(key)
        if (sa === undefined) status(res, 404, 'NotFound', `serviceaccounts "${one[2]}" not found`)
        else {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ kind: 'ServiceAccount', apiVersion: 'v1', ...sa }))
        }
      }
      if (hold !== undefined) void hold.then(answer)
      else answer()
      return
    }
    if (url.pathname !== '/api/v1/serviceaccounts') {
      status(res, 404, 'NotFound', 'the server could not find the requested resource')
      return
    }
    if (url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true') {
      const from = url.searchParams.get('resourceVersion') ?? ''
      watchVersions.push(from)
      if (watchFailure !== undefined) {
        status(res, watchFailure, 'InternalError', 'watch failed on purpose')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
      res.flushHeaders()
      const since = Number(from)
      if (from !== '' && since < compactedAt) {
        res.write(
          JSON.stringify({
            type: 'ERROR',
            object: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              message: `too old resource version: ${from} (${compactedAt})`,
              reason: 'Expired',
              code: 410,
            },
          }) + '\n',
        )
        res.end()
        return
      }
      for (const h of history)
        if (h.rv > since) res.write(JSON.stringify({ type: h.type, object: h.object }) + '\n')
      const w = { res, socket: req.socket }
      watches.add(w)
      res.on('close', () => watches.delete(w))
      notify()
      return
    }
    const answerList = (): void => {
      const limit = Number(url.searchParams.get('limit') ?? '0')
      const start = Number(url.searchParams.get('continue') ?? '0')
      const all = [...objects.values()]
      const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start)
      const next = limit > 0 && start + limit < all.length ? String(start + limit) : undefined
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          kind: 'ServiceAccountList',
          apiVersion: 'v1',
          metadata: {
            resourceVersion: String(rv),
            ...(next !== undefined ? { continue: next } : {}),
          },
          items: page,
        }),
      )
    }
    if (holdList !== undefined) void holdList.then(answerList)
    else answerList()
  }

  const server =
    o.tls !== undefined
      ? createHttpsServer(
          {
            cert: o.tls.cert,
            key: o.tls.key,
            ...(o.tls.ca !== undefined
              ? { ca: o.tls.ca, requestCert: true, rejectUnauthorized: false }
              : {}),
          },
          handler,
        )
      : createHttpServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  return {
    origin: `${o.tls !== undefined ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    watchVersions,
    add(ns, name, annotations) {
      const sa = make(ns, name, annotations)
      objects.set(`${ns}/${name}`, sa)
      emit('ADDED', sa)
      return sa.metadata.resourceVersion
    },
    update(ns, name, annotations) {
      const sa = make(ns, name, annotations)
      objects.set(`${ns}/${name}`, sa)
      emit('MODIFIED', sa)
      return sa.metadata.resourceVersion
    },
    remove(ns, name) {
      const old = objects.get(`${ns}/${name}`)
      if (old === undefined) throw new Error(`no ${ns}/${name}`)
      objects.delete(`${ns}/${name}`)
      const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++rv) } }
      emit('DELETED', gone)
      return gone.metadata.resourceVersion
    },
    addHidden(ns, name, annotations) {
      hidden.set(`${ns}/${name}`, make(ns, name, annotations))
    },
    bookmark() {
      const object = {
        kind: 'ServiceAccount',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(++rv) },
      }
      for (const w of watches) w.res.write(JSON.stringify({ type: 'BOOKMARK', object }) + '\n')
    },
    dropWatches() {
      for (const w of watches) w.socket.destroy()
      watches.clear()
    },
    compact() {
      compactedAt = rv + 1
      history = []
    },
    failWatches(s) {
      watchFailure = s
    },
    holdGets() {
      let release!: () => void
      hold = new Promise<void>((r) => {
        release = () => {
          hold = undefined
          r()
        }
      })
      return { release }
    },
    holdLists() {
      let release!: () => void
      holdList = new Promise<void>((r) => {
        release = () => {
          holdList = undefined
          r()
        }
      })
      return { release }
    },
    requireToken(t) {
      token = t
    },
    openWatches: () => watches.size,
    onActivity(listener) {
      listeners.push(listener)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of watches) w.socket.destroy()
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
