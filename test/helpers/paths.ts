import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(start: string): string {
  let dir = start
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir
    const up = dirname(dir)
    if (up === dir) throw new Error(`repo root not found above ${start}`)
    dir = up
  }
}

/** The repository root, whether tests run compiled from build/ or from source. */
export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)))

/** A path inside the repository. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts)
}

/**
 * The shared reference material (conformance fixtures): `IRSA_SHARED_DIR` when set, else
 * `../shared` beside the checkout, where CI has it.
 */
export const sharedDir = resolve(process.env['IRSA_SHARED_DIR'] ?? join(repoRoot, '..', 'shared'))

/** The compiled CLI entry (after `npm run build`). */
export const cliBin = join(repoRoot, 'bin', 'irsa.js')
