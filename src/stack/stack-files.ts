import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writePrivateFile } from '../store/index.js'
import {
  awsConfigText,
  awsCredentialsText,
  profileHeader,
  upsertIniSection,
} from './aws-profile.js'
import { PROFILE_NAME, STACK_FILES } from './defaults.js'
import { envFileText, type StackCredentials } from './env-file.js'

/** The files `irsa up` writes in its data directory. */
export interface StackFiles {
  readonly env: string
  readonly awsConfig: string
  readonly awsCredentials: string
}

/** Where the stack's files are in `dir`. */
function stackFiles(dir: string): StackFiles {
  return {
    env: join(dir, STACK_FILES.env),
    awsConfig: join(dir, STACK_FILES.awsConfig),
    awsCredentials: join(dir, STACK_FILES.awsCredentials),
  }
}

/**
 * Writes `DIR/env` and the `irsa` profile (`DIR/aws/config`, `DIR/aws/credentials`),
 * each mode 0600, atomically. The profile files hold only that profile.
 */
export function writeStackFiles(dir: string, c: StackCredentials): StackFiles {
  const files = stackFiles(dir)
  writePrivateFile(files.env, envFileText({ ...c, dataDir: dir }))
  writePrivateFile(files.awsConfig, awsConfigText(PROFILE_NAME, c))
  writePrivateFile(files.awsCredentials, awsCredentialsText(PROFILE_NAME, c))
  return files
}

/**
 * Merges the `irsa` profile into the user's AWS files (`--write-aws-profile`): its
 * sections in `HOME/.aws/config` and `HOME/.aws/credentials` are replaced or appended,
 * every other profile kept. The credentials file is written 0600.
 */
export function mergeUserProfile(home: string, c: StackCredentials): StackFiles {
  const files = {
    env: '',
    awsConfig: join(home, '.aws', 'config'),
    awsCredentials: join(home, '.aws', 'credentials'),
  }
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '')
  writePrivateFile(
    files.awsConfig,
    upsertIniSection(
      read(files.awsConfig),
      profileHeader('config', PROFILE_NAME),
      awsConfigText(PROFILE_NAME, c),
    ),
  )
  writePrivateFile(
    files.awsCredentials,
    upsertIniSection(
      read(files.awsCredentials),
      profileHeader('credentials', PROFILE_NAME),
      awsCredentialsText(PROFILE_NAME, c),
    ),
  )
  return files
}
