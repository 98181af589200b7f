import type { SettingsRepo } from '../store/index.js'
import { createMutationConfig, partitionForRegion, type MutationConfig } from '../webhook/index.js'

/** The settings `irsa up` saves that the local admission reads. */
const STACK_REGION_SETTING = 'stack.region'
/** The account `irsa up` serves (a bare role name in an annotation becomes its role). */
const STACK_ACCOUNT_SETTING = 'stack.accountId'
/** `http://HOST:PORT` of the local AWS endpoint. */
export const STACK_ENDPOINT_SETTING = 'stack.awsEndpoint'

/**
 * The webhook configuration of a local stack: the reference's defaults (audience
 * `sts.amazonaws.com`, token mount path, one-day tokens), the stack's region
 * (`stack.region`) injected with regional STS, and role names without `arn:` composed
 * in the stack's account. The same configuration serves `irsa apply`, `irsa exec` and
 * the webhook under `irsa up`, so all three inject the same environment.
 */
export function localMutationConfig(settings: Pick<SettingsRepo, 'get'>): MutationConfig {
  const region = settings.get(STACK_REGION_SETTING) ?? ''
  const accountId = settings.get(STACK_ACCOUNT_SETTING)
  return createMutationConfig({
    defaultRegion: region,
    stsRegionalEndpoint: region !== '',
    ...(accountId !== undefined && /^\d{12}$/.test(accountId)
      ? { composeRoleArn: { accountId, partition: partitionForRegion(region) } }
      : {}),
  })
}
