import type { ServerResponse } from 'node:http'

/**
 * What `kubectl logs` shows of a simulated pod: no container runs, so a container's log
 * is what the last `kubectl exec` in it printed (stdout and stderr as they came), the
 * last {@link LOG_BYTES} of it, in memory.
 */

/** The bytes kept per container. */
export const LOG_BYTES = 64 * 1024
/** The containers whose logs are kept (the oldest written is forgotten first). */
export const LOG_CONTAINERS = 256

interface Log {
  readonly uid: string
  chunks: Buffer[]
  bytes: number
}

/** The containers' logs of one cluster. */
export class PodLogs {
  readonly #logs = new Map<string, Log>()

  static #key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`
  }

  /** Starts a new log (an exec began): what the pod `uid` printed before is dropped. */
  begin(namespace: string, pod: string, container: string, uid: string): (chunk: Buffer) => void {
    const key = PodLogs.#key(namespace, pod, container)
    const log: Log = { uid, chunks: [], bytes: 0 }
    this.#logs.delete(key)
    this.#logs.set(key, log)
    while (this.#logs.size > LOG_CONTAINERS) {
      const oldest = this.#logs.keys().next().value
      if (oldest === undefined) break
      this.#logs.delete(oldest)
    }
    return (chunk) => {
      log.chunks.push(chunk)
      log.bytes += chunk.length
      while (log.bytes > LOG_BYTES && log.chunks.length > 0) {
        const first = log.chunks[0] ?? Buffer.alloc(0)
        const over = log.bytes - LOG_BYTES
        if (first.length <= over) {
          log.chunks.shift()
          log.bytes -= first.length
        } else {
          log.chunks[0] = first.subarray(over)
          log.bytes -= over
        }
      }
    }
  }

  /** The log of a container of the pod `uid` (a pod of the same name made later has none). */
  read(namespace: string, pod: string, container: string, uid: string): Buffer {
    const log = this.#logs.get(PodLogs.#key(namespace, pod, container))
    return log === undefined || log.uid !== uid ? Buffer.alloc(0) : Buffer.concat(log.chunks)
  }
}

/** The last `n` lines of `text` (kubectl logs --tail). */
export function tailLines(text: Buffer, n: number): Buffer {
  if (n < 0) return text
  let end = text.length
  if (end > 0 && text[end - 1] === 0x0a) end -= 1
  let at = end
  for (let seen = 0; at > 0; at--) if (text[at - 1] === 0x0a && ++seen === n) break
  return n === 0 ? Buffer.alloc(0) : text.subarray(at)
}

/** Answers a log request. */
export function sendLog(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache, private',
  })
  res.end(body)
}
