import { createPrivateKey, X509Certificate } from 'node:crypto'
import { statSync, watch, type FSWatcher } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { IrsaError } from '../../core/index.js'

/** A PEM certificate chain and its private key. */
export interface TlsPem {
  readonly cert: string
  readonly key: string
}

/** Where the serving certificate and key are read from. */
export interface TlsFiles {
  readonly certFile: string
  readonly keyFile: string
}

/**
 * Checks that `cert` holds a PEM certificate and `key` its private key. Throws an
 * IrsaError `ERR_WEBHOOK_TLS` naming what is wrong (never the key's content).
 */
export function checkTlsPem(pem: TlsPem, source = 'the TLS certificate'): void {
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(pem.cert)
  } catch {
    throw new IrsaError('ERR_WEBHOOK_TLS', `${source}: no PEM certificate found`)
  }
  let ok: boolean
  try {
    ok = x509.checkPrivateKey(createPrivateKey(pem.key))
  } catch {
    throw new IrsaError('ERR_WEBHOOK_TLS', `${source}: no PEM private key found`)
  }
  if (!ok)
    throw new IrsaError('ERR_WEBHOOK_TLS', `${source}: the key does not match the certificate`)
}

/** Watches a certificate and key on disk and reports each new valid pair. */
interface CertificateWatcher {
  /** Looks at the files now; resolves true when a new valid pair was reported. */
  check(): Promise<boolean>
  /** Stops watching and polling. */
  close(): void
}

/** Options of {@link watchCertificateFiles}. */
interface CertificateWatchOptions {
  readonly files: TlsFiles
  /** The pair in use now (a change is a pair different from this one). */
  readonly current: TlsPem
  /** Called with each new valid pair. */
  readonly onChange: (pem: TlsPem) => void
  /** Called once per failed attempt at a given file state (a half-written pair, a bad key). */
  readonly onError: (message: string) => void
  /** Stat polling interval, the fallback when file events are missed (default 10 s). */
  readonly pollIntervalMs?: number
  /** Wait after a file event before reading, so a pair written in two steps settles (default 50 ms). */
  readonly settleMs?: number
}

/** The default stat polling interval of {@link watchCertificateFiles}. */
const DEFAULT_CERT_POLL_INTERVAL_MS = 10_000

interface StatLike {
  readonly ino: number
  readonly size: number
  readonly mtimeMs: number
  readonly ctimeMs: number
}

function describeStat(s: StatLike): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`
}

async function signature(path: string): Promise<string> {
  return describeStat(await stat(path))
}

function signatureNow(files: TlsFiles): string {
  try {
    return `${describeStat(statSync(files.certFile))}|${describeStat(statSync(files.keyFile))}`
  } catch {
    return ''
  }
}

/**
 * Watches the directories of the certificate and key with `fs.watch` (which also sees
 * Kubernetes' atomic `..data` symlink swap in a mounted Secret) and polls their stat as a
 * fallback. A new pair is reported only when both files read as a matching certificate
 * and key, so a pair replaced one file at a time switches once, when it is complete.
 */
export function watchCertificateFiles(o: CertificateWatchOptions): CertificateWatcher {
  let current = o.current
  // The state the server started with is the baseline for change detection.
  let lastSignature = signatureNow(o.files)
  let lastError = ''
  let running: Promise<boolean> | undefined
  let again = false
  let closed = false
  let settleTimer: NodeJS.Timeout | undefined

  async function once(): Promise<boolean> {
    let sig: string
    let pem: TlsPem
    try {
      sig = (await signature(o.files.certFile)) + '|' + (await signature(o.files.keyFile))
      if (sig === lastSignature) return false
      pem = {
        cert: await readFile(o.files.certFile, 'utf8'),
        key: await readFile(o.files.keyFile, 'utf8'),
      }
    } catch (e) {
      const message = `cannot read the TLS files: ${(e as NodeJS.ErrnoException).code ?? 'error'}`
      if (message !== lastError) o.onError(message)
      lastError = message
      return false
    }
    if (pem.cert === current.cert && pem.key === current.key) {
      lastSignature = sig
      return false
    }
    try {
      checkTlsPem(pem, `${o.files.certFile} and ${o.files.keyFile}`)
    } catch (e) {
      const message = (e as Error).message
      if (sig !== lastError) o.onError(message)
      lastError = sig
      return false
    }
    lastSignature = sig
    lastError = ''
    current = pem
    o.onChange(pem)
    return true
  }

  function check(): Promise<boolean> {
    if (running !== undefined) {
      again = true
      return running
    }
    running = once().finally(() => {
      running = undefined
      if (again && !closed) {
        again = false
        void check()
      }
    })
    return running
  }

  const schedule = (): void => {
    if (closed) return
    if (settleTimer !== undefined) clearTimeout(settleTimer)
    settleTimer = setTimeout(() => {
      settleTimer = undefined
      void check()
    }, o.settleMs ?? 50)
    settleTimer.unref()
  }

  const watchers: FSWatcher[] = []
  for (const dir of new Set([dirname(o.files.certFile), dirname(o.files.keyFile)])) {
    try {
      const w = watch(dir, { persistent: false }, schedule)
      w.on('error', () => undefined)
      watchers.push(w)
    } catch {
      // No file events here (some network file systems): polling still works.
    }
  }
  const poll = setInterval(() => void check(), o.pollIntervalMs ?? DEFAULT_CERT_POLL_INTERVAL_MS)
  poll.unref()
  return {
    check,
    close() {
      closed = true
      clearInterval(poll)
      if (settleTimer !== undefined) clearTimeout(settleTimer)
      for (const w of watchers) w.close()
    },
  }
}
