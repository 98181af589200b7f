import type Database from 'better-sqlite3'
import { Worker } from 'node:worker_threads'
import type { CheckpointWorkerData } from './checkpoint-worker.js'

/** How often the background checkpointer copies the WAL into the database (milliseconds). */
export const CHECKPOINT_INTERVAL_MS = 500
/** SQLite's own automatic checkpoint threshold (pages), restored when the worker is gone. */
const AUTO_CHECKPOINT_PAGES = 1000

/** A running background checkpointer. */
export interface Checkpointer {
  /** Stops the worker (its connection closes); SQLite's automatic checkpoints resume. */
  stop(): void
}

/**
 * Moves WAL checkpoints off the event loop. SQLite checkpoints automatically in the
 * connection whose commit pushes the WAL past 1,000 pages, inside that commit: two fsyncs
 * and a few MB copied, about 10 ms here, every couple of seconds under a stream of
 * decision-log appends, a stall every request in flight waits for. Here the serving
 * connection checkpoints never (`wal_autocheckpoint=0`) and a worker thread does it on its
 * own connection every {@link CHECKPOINT_INTERVAL_MS}. If the worker cannot start or
 * dies, automatic checkpoints come back (`onProblem` is told); a failed checkpoint is
 * told and retried at the next interval.
 */
export function startCheckpointer(
  db: Database.Database,
  path: string,
  onProblem: (message: string) => void,
): Checkpointer {
  const data: CheckpointWorkerData = { path, intervalMs: CHECKPOINT_INTERVAL_MS }
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: data,
  })
  db.pragma('wal_autocheckpoint = 0')
  let stopped = false
  const resumeAuto = (why: string): void => {
    if (stopped) return
    stopped = true
    if (db.open) db.pragma(`wal_autocheckpoint = ${String(AUTO_CHECKPOINT_PAGES)}`)
    onProblem(why)
  }
  worker.on('message', (m: { kind?: string; message?: string }) => {
    if (m.kind === 'failed') onProblem(`checkpoint failed: ${m.message ?? ''}`)
  })
  worker.on('error', (e) => {
    resumeAuto(`checkpointer stopped: ${e.message}`)
  })
  worker.on('exit', (code) => {
    resumeAuto(`checkpointer exited (${String(code)})`)
  })
  // After the listeners: adding a 'message' listener refs the worker's port again.
  worker.unref()
  return {
    stop() {
      if (stopped) return
      stopped = true
      worker.postMessage('stop')
      if (db.open) db.pragma(`wal_autocheckpoint = ${String(AUTO_CHECKPOINT_PAGES)}`)
    },
  }
}
