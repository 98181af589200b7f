/** Text a {@link batchedWriter} holds before it writes at once, whatever the turn. */
export const LOG_BATCH_MAX_CHARS = 64 * 1024

/** Writers with text waiting, written out if the process exits first. */
const waiting = new Set<() => void>()
let exitHooked = false

function hookExit(): void {
  if (exitHooked) return
  exitHooked = true
  process.once('exit', () => {
    for (const flush of waiting) flush()
  })
}

/** A destination whose lines are gathered and written together. */
export interface BatchedWriter {
  write(line: string): void
  /** Writes what is waiting now. */
  flush(): void
}

/**
 * Gathers lines and hands them to `write` together, once per turn of the event loop (or
 * at {@link LOG_BATCH_MAX_CHARS}): a server logging a line per request makes one write
 * call per turn instead of one per line (each is a system call on a pipe or a file).
 * Lines keep their order; what is waiting is written on `flush` and when the process
 * exits (also after an uncaught exception); only a kill -9 can lose the current turn's.
 */
export function batchedWriter(write: (text: string) => void): BatchedWriter {
  let lines: string[] = []
  let chars = 0
  const flush = (): void => {
    waiting.delete(flush)
    if (lines.length === 0) return
    const text = lines.length === 1 ? (lines[0] ?? '') : lines.join('')
    lines = []
    chars = 0
    write(text)
  }
  return {
    write(line) {
      lines.push(line)
      chars += line.length
      if (chars >= LOG_BATCH_MAX_CHARS) flush()
      else if (!waiting.has(flush)) {
        hookExit()
        waiting.add(flush)
        setImmediate(flush)
      }
    },
    flush,
  }
}
