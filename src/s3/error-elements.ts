import { AwsError } from '../aws/index.js'

/**
 * An S3 error whose document names more than Code and Message, in S3's order after
 * Message: EntityTooSmall's `ProposedSize`, `MinSizeAllowed`, `PartNumber` and `ETag`.
 * Never a secret: what the client sent or could list.
 */
export class S3ErrorWithElements extends AwsError {
  readonly elements: readonly (readonly [name: string, value: string])[]

  constructor(error: AwsError, elements: readonly (readonly [string, string])[]) {
    super(error.entry, error.message, { reason: error.reason, cause: error.cause })
    this.elements = elements
  }
}
