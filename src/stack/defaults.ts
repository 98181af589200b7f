import { randomInt } from 'node:crypto'

/**
 * The account a stack serves when none is given or saved (the library default; the CLI's
 * `irsa up` gives each new data directory its own, see {@link randomAccountId}).
 */
export const DEFAULT_ACCOUNT_ID = '111122223333'

/**
 * A fresh 12-digit account ID (no leading zero, which some YAML and JSON tools would
 * read as a number and drop). `irsa up` uses one per new data directory: the AWS CLI
 * caches web-identity credentials by role ARN and session name, so two stacks in
 * sequence serving the same account would hand the second the first one's cached
 * (and, to it, unknown) session.
 */
export function randomAccountId(): string {
  let id = String(randomInt(1, 10))
  for (let i = 1; i < 12; i++) id += String(randomInt(0, 10))
  return id
}
/** The region `irsa up` serves by default. */
export const DEFAULT_REGION = 'us-west-2'
/** Where the AWS endpoint and the issuers listen by default: loopback only. */
export const DEFAULT_HOST = '127.0.0.1'
/** The data directory when neither `--data-dir` nor `IRSA_DATA_DIR` is given. */
export const DEFAULT_DATA_DIR = '.irsa'
/** The environment variable naming the data directory. */
export const DATA_DIR_ENV = 'IRSA_DATA_DIR'
/** The cluster `irsa up` creates on first start. */
export const LOCAL_CLUSTER = 'local'
/** The AWS CLI profile `irsa up` writes. */
export const PROFILE_NAME = 'irsa'

/** The settings the stack saves in `store.settings` (others read them; names fixed). */
export const SETTINGS = {
  host: 'stack.host',
  awsPort: 'stack.awsPort',
  awsHttpsPort: 'stack.awsHttpsPort',
  oidcPort: 'stack.oidcPort',
  webhookPort: 'stack.webhookPort',
  kubePort: 'stack.kubePort',
  awsEndpoint: 'stack.awsEndpoint',
  accountId: 'stack.accountId',
  region: 'stack.region',
} as const

/** Files the stack writes in its data directory. */
export const STACK_FILES = {
  ca: 'ca.pem',
  caKey: 'ca-key.pem',
  env: 'env',
  awsConfig: 'aws/config',
  awsCredentials: 'aws/credentials',
} as const
