import { IrsaError } from '../core/index.js'
import type { RestRoute } from './handlers.js'

interface Compiled<P> {
  readonly route: RestRoute<P>
  readonly segments: readonly { readonly literal?: string; readonly label?: string }[]
}

/** A REST route found for a request, with its decoded path labels. */
interface RestMatch<P> {
  readonly route: RestRoute<P>
  readonly pathParams: Readonly<Record<string, string>>
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

/**
 * Matches requests to REST-JSON routes by method and path. Patterns are literal segments
 * and `{label}`s; a label matches one non-empty segment and is percent-decoded. Two
 * routes with the same method and pattern are refused when the router is built.
 */
export class RestRouter<P> {
  readonly #routes: Compiled<P>[] = []

  constructor(routes: readonly RestRoute<P>[]) {
    const seen = new Set<string>()
    for (const route of routes) {
      const segments = split(route.path).map((s) => {
        const m = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(s)
        return m?.[1] !== undefined ? { label: m[1] } : { literal: s }
      })
      const id = `${route.method.toUpperCase()} /${segments.map((s) => s.literal ?? '{}').join('/')}`
      if (seen.has(id)) throw new IrsaError('ERR_AWS_ROUTE_CONFLICT', `two routes for ${id}`)
      seen.add(id)
      this.#routes.push({ route, segments })
    }
  }

  /** The route for a method and raw path, or undefined. */
  match(method: string, rawPath: string): RestMatch<P> | undefined {
    const parts = split(rawPath)
    for (const c of this.#routes) {
      if (c.route.method.toUpperCase() !== method.toUpperCase()) continue
      if (c.segments.length !== parts.length) continue
      const params: Record<string, string> = {}
      let ok = true
      for (const [i, seg] of c.segments.entries()) {
        const part = parts[i] ?? ''
        if (seg.literal !== undefined) {
          if (seg.literal !== part) ok = false
        } else if (seg.label !== undefined) {
          try {
            params[seg.label] = decodeURIComponent(part)
          } catch {
            ok = false
          }
        }
        if (!ok) break
      }
      if (ok) return { route: c.route, pathParams: params }
    }
    return undefined
  }
}
