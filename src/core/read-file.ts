import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { InputError } from './errors.js'

/**
 * Reads a UTF-8 file a user named; a failure is one line naming the flag (or label), the
 * path as given and why (`--key sa.pub: no such file`), never a stack trace. A relative
 * `path` is read from `cwd` when one is given.
 */
export function readTextFile(path: string, label: string, cwd?: string): string {
  try {
    return readFileSync(cwd === undefined ? path : resolve(cwd, path), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : 'cannot be read'
    throw new InputError(`${label} ${path}: ${why}`)
  }
}
