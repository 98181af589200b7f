import { InputError } from '../core/index.js'

/** A port flag's value: an integer 0–65535 (0 picks a free port). */
export function parsePort(text: string, flag: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
  if (!(n >= 0 && n <= 65535))
    throw new InputError(`${flag} must be a port number from 0 to 65535, got '${text}'`)
  return n
}

/**
 * The port to listen on: the one asked for (0 = any free one), else the one saved by the
 * last run (so issuer URLs and the env file stay valid across restarts), else 0.
 */
export function choosePort(asked: number | undefined, saved: string | undefined): number {
  if (asked !== undefined) return asked
  if (saved !== undefined && /^\d{1,5}$/.test(saved)) {
    const n = Number(saved)
    if (n > 0 && n <= 65535) return n
  }
  return 0
}

/** `HOST:PORT` with IPv6 hosts in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}
