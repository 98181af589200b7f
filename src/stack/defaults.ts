/** The account `irsa up` creates on first start. */
export const DEFAULT_ACCOUNT_ID = '111122223333'
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
  oidcPort: 'stack.oidcPort',
  webhookPort: 'stack.webhookPort',
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
