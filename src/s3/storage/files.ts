import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

/** Where S3's bytes live under a data directory: `DIR/s3/data` and `DIR/s3/tmp`. */
export interface S3FileLayout {
  readonly dataDir: string
  readonly tmpDir: string
}

/** A file written into the data directory, durable, not yet referenced by any row. */
export interface WrittenFile {
  /** The file's name in the data directory (what rows store). */
  readonly name: string
  readonly size: number
  /** MD5 of what was written, hex (for copies; a request body reports its own). */
  readonly md5Hex: string
}

/** Thrown when a body grows past the limit given to {@link S3Files.write}. */
export class TooLargeError extends Error {
  constructor() {
    super('body too large')
    this.name = 'TooLargeError'
  }
}

/**
 * The object and part files. A write streams into a fresh temp file (0600, `wx`),
 * fsyncs it, renames it into the data directory and fsyncs that directory: only then
 * may the caller commit a row naming it. A write that fails (the body throws on a bad
 * checksum, the limit is passed, the disk is full) removes its temp file, so nothing
 * half-written is ever in the data directory.
 */
export interface S3Files {
  readonly layout: S3FileLayout
  write(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<WrittenFile>
  /** Opens a file for reading (the handle stays valid if the file is removed meanwhile). */
  open(name: string): Promise<FileHandle>
  /**
   * The bytes of a small file (at most {@link SMALL_FILE_BYTES}), from memory when read
   * before: data files never change once named (a new object is a new file), so a cached
   * copy is never stale. The cache holds at most {@link SMALL_CACHE_BYTES}, least recently
   * read out first; removed files leave it.
   */
  readSmall(name: string, size: number): Promise<Uint8Array>
  /** Removes files no row refers to any more; missing ones are ignored. */
  remove(names: Iterable<string>): Promise<void>
  /**
   * Startup clean-up: removes every temp file (an interrupted write) and every data file
   * no row refers to (a crash between rename and commit, or between commit and removing
   * a replaced file). Returns how many files it removed.
   */
  sweep(referenced: ReadonlySet<string>): number
}

/** The largest file {@link S3Files.readSmall} keeps in memory. */
export const SMALL_FILE_BYTES = 64 * 1024

/** The most bytes of small files kept in memory. */
export const SMALL_CACHE_BYTES = 32 * 1024 * 1024

const FILE_MODE = 0o600
const DIR_MODE = 0o700

/** A data file's name: 32 random hex digits (never derived from the key). */
function newName(): string {
  return randomBytes(16).toString('hex')
}

async function fsyncDir(dir: string): Promise<void> {
  let fd: FileHandle | undefined
  try {
    fd = await open(dir, 'r')
    await fd.sync()
  } catch {
    // Some filesystems refuse fsync on a directory; the file itself is synced.
  } finally {
    await fd?.close()
  }
}

async function unlinkQuiet(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
}

/** Bytes gathered before one write: a 1 MiB body is one trip to the thread pool, not 16. */
const WRITE_BATCH_BYTES = 1024 * 1024

/** Writes every byte of `batch` at the file's position (a short write continues). */
async function writeAll(fd: FileHandle, batch: readonly Uint8Array[]): Promise<void> {
  let rest = [...batch]
  while (rest.length > 0) {
    let { bytesWritten } = await fd.writev(rest)
    const left: Uint8Array[] = []
    for (const b of rest) {
      if (bytesWritten >= b.byteLength) bytesWritten -= b.byteLength
      else {
        left.push(bytesWritten > 0 ? b.subarray(bytesWritten) : b)
        bytesWritten = 0
      }
    }
    rest = left
  }
}

/**
 * Streams `chunks` into `fd`, counting and hashing; throws past `limit` bytes. Chunks are
 * gathered up to {@link WRITE_BATCH_BYTES} and written with one `writev`.
 */
async function copyInto(
  fd: FileHandle,
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ size: number; md5Hex: string }> {
  const md5 = createHash('md5')
  let size = 0
  let batch: Uint8Array[] = []
  let batched = 0
  for await (const chunk of chunks) {
    size += chunk.byteLength
    if (size > limit) throw new TooLargeError()
    md5.update(chunk)
    batch.push(chunk)
    batched += chunk.byteLength
    if (batched >= WRITE_BATCH_BYTES) {
      await writeAll(fd, batch)
      batch = []
      batched = 0
    }
  }
  if (batch.length > 0) await writeAll(fd, batch)
  return { size, md5Hex: md5.digest('hex') }
}

/** The file store under `DIR/s3`, creating its directories (0700) when missing. */
export function createS3Files(dataDir: string): S3Files {
  const layout: S3FileLayout = {
    dataDir: join(dataDir, 's3', 'data'),
    tmpDir: join(dataDir, 's3', 'tmp'),
  }
  mkdirSync(layout.dataDir, { recursive: true, mode: DIR_MODE })
  mkdirSync(layout.tmpDir, { recursive: true, mode: DIR_MODE })
  // Small files by name, in least-recently-read order (a Map keeps insertion order).
  const small = new Map<string, Uint8Array>()
  let smallBytes = 0
  const forget = (name: string): void => {
    const had = small.get(name)
    if (had === undefined) return
    small.delete(name)
    smallBytes -= had.byteLength
  }
  const remember = (name: string, bytes: Uint8Array): void => {
    small.set(name, bytes)
    smallBytes += bytes.byteLength
    for (const [oldest, b] of small) {
      if (smallBytes <= SMALL_CACHE_BYTES) break
      small.delete(oldest)
      smallBytes -= b.byteLength
    }
  }
  return {
    layout,
    write: async (chunks, limit) => {
      const name = newName()
      const tmp = join(layout.tmpDir, `${name}.tmp`)
      const fd = await open(tmp, 'wx', FILE_MODE)
      try {
        const written = await copyInto(fd, chunks, limit)
        await fd.sync()
        await fd.close()
        await rename(tmp, join(layout.dataDir, name))
        await fsyncDir(layout.dataDir)
        return { name, ...written }
      } catch (e) {
        await fd.close().catch(() => undefined)
        await unlinkQuiet(tmp)
        throw e
      }
    },
    open: (name) => open(join(layout.dataDir, name), 'r'),
    readSmall: async (name, size) => {
      const hit = small.get(name)
      if (hit !== undefined) {
        small.delete(name)
        small.set(name, hit)
        return hit
      }
      const bytes = await readFile(join(layout.dataDir, name))
      if (size <= SMALL_FILE_BYTES && bytes.byteLength === size) remember(name, bytes)
      return bytes
    },
    remove: async (names) => {
      for (const name of names) {
        forget(name)
        await unlinkQuiet(join(layout.dataDir, name))
      }
    },
    sweep: (referenced) => {
      let removed = 0
      for (const f of readdirSync(layout.tmpDir)) {
        rmSync(join(layout.tmpDir, f), { force: true, recursive: true })
        removed++
      }
      for (const f of readdirSync(layout.dataDir)) {
        if (referenced.has(f)) continue
        rmSync(join(layout.dataDir, f), { force: true, recursive: true })
        removed++
      }
      return removed
    },
  }
}
