import type { DestinationStream } from 'pino'

/** pino's level numbers and the names a person reads. */
const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
}

function clockTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/**
 * One JSON log line as a line for a person: local time, level, message, then the other
 * fields as `key=value` (strings with spaces quoted). A line that is not JSON is kept.
 */
function textLine(json: string): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json
  }
  const { time, level, msg, ...rest } = o
  const head = [
    typeof time === 'number' ? clockTime(time) : '',
    LEVEL_NAMES[typeof level === 'number' ? level : 30] ?? 'INFO ',
    typeof msg === 'string' ? msg : '',
  ]
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${fieldText(v)}`)
  return [...head, ...fields].join(' ').trimEnd() + '\n'
}

/** A pino destination that writes each line through {@link textLine}. */
export function textDestination(write: (line: string) => void): DestinationStream {
  return {
    write: (chunk: string) => {
      for (const line of chunk.split('\n')) if (line !== '') write(textLine(line))
    },
  }
}
