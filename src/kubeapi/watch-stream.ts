import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonObject, JsonValue } from '../webhook/index.js'
import { metaString } from './json.js'
import type { KubeRegistry } from './registry.js'
import { groupVersion } from './resources.js'
import type { Route } from './routes.js'
import { fieldSelector, labelSelector } from './selectors.js'
import { kubeStatus } from './status.js'
import { renderTable, wantsTable } from './table.js'
import type { WatchEvent, WatchHub } from './watch.js'

/**
 * A watch (`?watch=true`) as kube-apiserver streams it: newline-delimited JSON events
 * (`ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`) on a 200 response. Without a
 * resourceVersion (or with `0`) the stream starts with an ADDED for every current object;
 * with one, it replays the changes after it, or sends an `ERROR` event with a 410 Expired
 * Status when they are no longer kept. Bookmarks (when asked for) carry the current
 * resourceVersion; `timeoutSeconds` ends the stream.
 */

/** How often a watch that asked for bookmarks gets one. */
export const BOOKMARK_MS = 60_000
/** The longest a watch stays open without `timeoutSeconds` (kube-apiserver: 30–60 min). */
export const MAX_WATCH_MS = 30 * 60_000

type ResourceRoute = Extract<Route, { type: 'resource' }>

interface WatchContext {
  readonly route: ResourceRoute
  readonly query: URLSearchParams
  readonly accept: string | undefined
  readonly hub: WatchHub
  readonly registry: KubeRegistry
  readonly nowMs: () => number
}

function matcher(ctx: WatchContext): (e: WatchEvent) => boolean {
  const { route } = ctx
  const labels = labelSelector(ctx.query.get('labelSelector') ?? undefined)
  const fields = fieldSelector(ctx.query.get('fieldSelector') ?? undefined)
  return (e) => {
    if (e.kind !== route.resource.kind) return false
    if (
      route.resource.namespaced &&
      route.namespace !== undefined &&
      e.namespace !== route.namespace
    )
      return false
    if (route.name !== undefined && metaString(e.object, 'name') !== route.name) return false
    return labels(e.object) && fields(e.object)
  }
}

/** Serves one watch until the client goes, the timeout passes or the server closes. */
export function serveWatch(req: IncomingMessage, res: ServerResponse, ctx: WatchContext): void {
  const table = wantsTable(ctx.accept)
  const write = (type: string, object: JsonValue): void => {
    res.write(`${JSON.stringify({ type, object })}\n`)
  }
  const wrap = (o: JsonObject): JsonValue =>
    table
      ? renderTable(ctx.route.resource.kind, [o], {
          nowMs: ctx.nowMs(),
          resourceVersion: metaString(o, 'resourceVersion'),
        })
      : o
  const matches = matcher(ctx)
  const rvText = ctx.query.get('resourceVersion') ?? ''
  const current = Number(ctx.registry.resourceVersion())
  const from = rvText === '' || rvText === '0' ? current : Number(rvText)
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' })
  res.flushHeaders()
  const expired = (): void => {
    write(
      'ERROR',
      kubeStatus('Expired', {
        detail: `${rvText} (${String(ctx.hub.floor())})`,
      }) as unknown as JsonObject,
    )
    res.end()
  }
  const sub = Number.isFinite(from)
    ? ctx.hub.subscribe(from, {
        onEvent: (e) => {
          if (matches(e)) write(e.type, wrap(e.object))
        },
        onExpired: expired,
      })
    : undefined
  if (sub === undefined) {
    expired()
    return
  }
  if (rvText === '' || rvText === '0')
    for (const o of ctx.registry.list(ctx.route.resource, ctx.route.namespace)) {
      const e: WatchEvent = {
        type: 'ADDED',
        kind: ctx.route.resource.kind,
        namespace: ctx.route.namespace ?? '',
        object: o,
        resourceVersion: current,
      }
      if (
        matches({
          ...e,
          namespace: metaString(o, 'namespace'),
        })
      )
        write('ADDED', wrap(o))
    }
  for (const e of sub.backlog) if (matches(e)) write(e.type, wrap(e.object))
  const bookmark =
    ctx.query.get('allowWatchBookmarks') === 'true'
      ? setInterval(() => {
          write('BOOKMARK', {
            kind: ctx.route.resource.kind,
            apiVersion: groupVersion(ctx.route.resource),
            metadata: { resourceVersion: ctx.registry.resourceVersion() },
          })
        }, BOOKMARK_MS)
      : undefined
  const seconds = Number(ctx.query.get('timeoutSeconds') ?? '')
  const limit =
    Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_WATCH_MS) : MAX_WATCH_MS
  const timer = setTimeout(() => res.end(), limit)
  const stop = (): void => {
    sub.stop()
    clearInterval(bookmark)
    clearTimeout(timer)
  }
  req.on('close', stop)
  res.on('close', stop)
}
