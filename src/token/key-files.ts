import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { InputError, readTextFile } from '../core/index.js'
import {
  generateKeyPair,
  loadPublicKeys,
  loadSigningKey,
  type KeyType,
  type PublicKeyInfo,
  type SigningKey,
} from './keys.js'

/** The private key in a PEM file (PKCS#1, PKCS#8 or SEC1), with its public half. */
export function loadSigningKeyFile(path: string, label = '--signing-key'): SigningKey {
  return loadSigningKey(readTextFile(path, label), `${label} ${path}`)
}

/** Every public key in a PEM file (public keys, certificates, or private keys' public halves). */
export function loadPublicKeyFile(path: string, label = '--key'): PublicKeyInfo[] {
  return loadPublicKeys(readTextFile(path, label), `${label} ${path}`)
}

/** What {@link writeKeyPair} wrote. */
interface WrittenKeyPair {
  readonly keyFile: string
  readonly pubFile: string
  readonly type: KeyType
  readonly key: PublicKeyInfo
}

/** Options of {@link writeKeyPair}. */
interface WriteKeyPairOptions {
  readonly dir: string
  readonly type?: KeyType
  /** Replace existing files (atomically, through a temporary file). */
  readonly force?: boolean
}

function alreadyExists(file: string): InputError {
  return new InputError(`${file} already exists; use --force to overwrite it`)
}

/** Writes `data` to a new file created with `mode` (never chmod'ed afterwards). */
function createFile(file: string, data: string, mode: number): void {
  let fd: number
  try {
    fd = openSync(file, 'wx', mode)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(file)
    throw new InputError(
      `${file}: cannot be created (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
  try {
    writeSync(fd, data)
  } finally {
    closeSync(fd)
  }
}

/** Replaces `file` with `data`: a temporary file created with `mode`, then renamed over it. */
function replaceFile(file: string, data: string, mode: number): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  createFile(tmp, data, mode)
  try {
    renameSync(tmp, file)
  } catch (e) {
    unlinkSync(tmp)
    throw new InputError(
      `${file}: cannot be replaced (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
}

/**
 * Generates a signing key pair and writes `DIR/sa.key` (private, mode 0600, created with
 * that mode) and `DIR/sa.pub` (SPKI PEM, mode 0644). DIR is created with mode 0700 when
 * missing. Existing files are refused unless `force`.
 */
export function writeKeyPair(options: WriteKeyPairOptions): WrittenKeyPair {
  const { dir, force = false } = options
  const type = options.type ?? 'rsa'
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new InputError(`${dir}: not a directory`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const keyFile = join(dir, 'sa.key')
  const pubFile = join(dir, 'sa.pub')
  if (!force) for (const f of [keyFile, pubFile]) if (existsSync(f)) throw alreadyExists(f)
  const { privatePem, publicPem } = generateKeyPair(type)
  const write = force ? replaceFile : createFile
  write(keyFile, privatePem, 0o600)
  write(pubFile, publicPem, 0o644)
  const [key] = loadPublicKeys(publicPem, pubFile)
  if (key === undefined) throw new InputError(`${pubFile}: no key written`)
  return { keyFile, pubFile, type, key }
}
