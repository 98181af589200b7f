import type { CredentialLookup, S3Hook } from '../aws/index.js'
import type { Clock, Logger } from '../core/index.js'
import type { PolicyCache, Principal } from '../iam/index.js'
import {
  createS3App,
  createS3Authorizer,
  createS3Operations,
  createS3PolicyRules,
  createS3ResourceLookup,
  loadS3ActionNames,
} from '../s3/index.js'
import type { Store } from '../store/index.js'
import { recordRefusals } from './refusals.js'

/** What the stack's S3 is made of: the stack's store, keys, clock and policy cache. */
interface StackS3Deps {
  readonly store: Store
  readonly credentials: CredentialLookup<Principal>
  readonly cache: PolicyCache
  readonly region: string
  readonly clock: Clock
  readonly logger: Logger
}

/**
 * S3 for the AWS endpoint's `s3` hook: the operations over the store and `DIR/s3` (orphan
 * files of an interrupted write are swept here, before anything is served), authorised by
 * the policy engine with the bucket's own state, refusals recorded in the decision log
 * like the endpoint's others.
 */
export async function createStackS3(deps: StackS3Deps): Promise<S3Hook> {
  const { store, clock, logger } = deps
  const ops = createS3Operations<Principal>({
    store,
    dataDir: store.dir,
    policyRules: createS3PolicyRules(await loadS3ActionNames()),
    identify: (caller) => ({ accountId: caller.principal.accountId, arn: caller.principal.arn }),
  })
  if (ops.swept > 0) logger.info({ files: ops.swept }, 's3: removed files of unfinished writes')
  const authorize = createS3Authorizer<Principal>({
    store,
    clock,
    cache: deps.cache,
    resources: createS3ResourceLookup(ops.records),
    principalOf: (p) => p,
  })
  return createS3App<Principal>({
    handlers: ops.handlers,
    authorize,
    credentials: deps.credentials,
    clock,
    logger,
    defaultRegion: deps.region,
    onRefused: recordRefusals(store),
  })
}
