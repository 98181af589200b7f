/**
 * The store's checkpointer, in a worker thread (see `startCheckpointer`): on its own
 * connection, every `intervalMs` it copies the WAL into the database file with
 * `PRAGMA wal_checkpoint(PASSIVE)`, which never blocks a writer or a reader, at
 * `synchronous=FULL` (the WAL is fsynced before the copy, the database after). Messages to
 * the parent: `{ kind: 'ready' }`, then `{ kind: 'failed', message }` when a checkpoint
 * fails (the next one tries again). `'stop'` from the parent closes the connection and
 * ends the thread.
 */
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'

/** What the parent hands the worker. */
export interface CheckpointWorkerData {
  readonly path: string
  readonly intervalMs: number
}

const port = parentPort
if (port === null) throw new Error('checkpoint-worker.js runs as a worker thread')
const { path, intervalMs } = workerData as CheckpointWorkerData
const db = new Database(path, { fileMustExist: true })
db.pragma('synchronous = FULL')
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
const timer = setInterval(() => {
  try {
    checkpoint.run()
  } catch (e) {
    port.postMessage({ kind: 'failed', message: e instanceof Error ? e.message : String(e) })
  }
}, intervalMs)
port.on('message', (m: unknown) => {
  if (m !== 'stop') return
  clearInterval(timer)
  db.close()
  port.close()
})
port.postMessage({ kind: 'ready' })
