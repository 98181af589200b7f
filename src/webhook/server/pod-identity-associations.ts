import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Reads the reference's `--watch-container-credentials-config` file,
 * `{"identities":[{"namespace":"…","serviceAccount":"…"}]}`, into `namespace/name` keys.
 * Throws a one-line Error when the JSON or its shape is wrong.
 */
export function parsePodIdentityAssociations(text: string): Set<string> {
  const keys = new Set<string>()
  if (text.trim() === '') return keys
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new Error('not valid JSON')
  }
  const list =
    typeof doc === 'object' && doc !== null
      ? (doc as Record<string, unknown>)['identities']
      : undefined
  if (list === undefined || list === null) return keys
  if (!Array.isArray(list)) throw new Error('identities must be a list')
  for (const item of list) {
    const r = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {}
    const ns = r['namespace']
    const sa = r['serviceAccount']
    if (typeof ns !== 'string' || typeof sa !== 'string')
      throw new Error('each identity needs a namespace and a serviceAccount')
    keys.add(`${ns}/${sa}`)
  }
  return keys
}

/** The Pod Identity associations from a watched file; `has` is what the mutation asks. */
export interface PodIdentityAssociations {
  has(namespace: string, serviceAccount: string): boolean
  size(): number
  /** Reads the file again now. */
  reload(): void
  close(): void
}

/**
 * Loads the associations file and reloads it when it changes (file events on its folder,
 * plus polling). A missing or empty file means no associations, as in the reference; an
 * invalid one keeps the previous set and is reported through `onError`.
 */
export function watchPodIdentityAssociations(o: {
  readonly file: string
  readonly onError: (message: string) => void
  readonly onReload?: (count: number) => void
  readonly pollIntervalMs?: number
}): PodIdentityAssociations {
  let keys = new Set<string>()
  let lastText: string | undefined
  const reload = (): void => {
    let text: string
    try {
      text = readFileSync(o.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        o.onError(`${o.file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
        return
      }
      text = ''
    }
    if (text === lastText) return
    try {
      keys = parsePodIdentityAssociations(text)
      lastText = text
      o.onReload?.(keys.size)
    } catch (e) {
      lastText = text
      o.onError(`${o.file}: ${(e as Error).message}`)
    }
  }
  reload()
  let w: FSWatcher | undefined
  try {
    w = watch(dirname(o.file), { persistent: false }, reload)
    w.on('error', () => undefined)
  } catch {
    w = undefined
  }
  const poll = setInterval(reload, o.pollIntervalMs ?? 10_000)
  poll.unref()
  return {
    has: (namespace, serviceAccount) => keys.has(`${namespace}/${serviceAccount}`),
    size: () => keys.size,
    reload,
    close() {
      clearInterval(poll)
      w?.close()
    },
  }
}
