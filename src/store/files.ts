import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'
import { StoreError } from './errors.js'

/** Mode of the data directory and of every directory the store creates in it. */
const DIR_MODE = 0o700
/** Mode of the database file and of every secret file the store writes. */
const FILE_MODE = 0o600

function ioError(what: string, e: unknown): StoreError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error'
  return new StoreError('ERR_STORE_IO', `${what} (${code})`, {}, { cause: e })
}

/**
 * Creates `dir` (and its parents) with mode 0700 when missing. An existing directory
 * keeps its mode: it may be one the user chose (`--data-dir .`), and every file the
 * store writes in it is 0600 whatever the directory's mode.
 */
export function ensureDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory())
      throw new StoreError('ERR_STORE_IO', `${dir} exists and is not a directory`)
    return
  }
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE })
  } catch (e) {
    throw ioError(`cannot create ${dir}`, e)
  }
}

/**
 * Makes sure `file` exists with mode 0600 before SQLite opens it: a new file is created
 * with that mode (never chmod'ed afterwards, so it is never briefly readable), an existing
 * file wider than 0600 is narrowed. SQLite gives the WAL and shared-memory files the
 * database file's mode.
 */
export function ensurePrivateFile(file: string): void {
  try {
    const fd = openSync(file, 'wx', FILE_MODE)
    closeSync(fd)
    fsyncDir(dirname(file))
    return
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`cannot create ${file}`, e)
  }
  const st = statSync(file)
  if (!st.isFile()) throw new StoreError('ERR_STORE_IO', `${file} is not a regular file`)
  if ((st.mode & 0o077) !== 0) chmodSync(file, FILE_MODE)
}

/** Flushes a directory's entries (a created or renamed file) to disk. */
function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some filesystems refuse fsync on directories; the data itself was already synced.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Writes a secret file durably and atomically: a temporary file created with mode 0600,
 * written and fsynced, renamed over `file`, then the directory fsynced. A crash leaves
 * either the old file or the new one, never a torn one. Parent directories are created 0700.
 */
export function writePrivateFile(file: string, data: string): void {
  const dir = dirname(file)
  ensureDir(dir)
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', FILE_MODE)
    writeSync(fd, data)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, file)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    try {
      unlinkSync(tmp)
    } catch {
      // already gone
    }
    throw ioError(`cannot write ${file}`, e)
  }
  fsyncDir(dir)
}

/** Reads a secret file the store wrote; `undefined` when it is missing. */
export function readPrivateFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw ioError(`cannot read ${file}`, e)
  }
}

/** Removes a file or directory tree if present (best effort is not enough: errors surface). */
export function removePath(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true })
  } catch (e) {
    throw ioError(`cannot remove ${path}`, e)
  }
}
