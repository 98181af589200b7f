import type { AwsErrorEntry } from './entry.js'

/**
 * S3's errors (REST-XML, API version 2006-03-01), as S3 answers them: an `<Error>`
 * document with `<Code>`, `<Message>`, `<RequestId>` and `<HostId>` (plus the element a
 * code names, such as `<BucketName>` or `<Key>`), or no body at all for HEAD. Codes,
 * statuses and messages from the S3 API reference's "List of error codes" and the
 * messages S3 sends today; S3 has no Sender/Receiver element, so `type` records the
 * fault side only (Receiver for 5xx).
 */
export const S3_ERRORS = {
  AccessDenied: {
    code: 'AccessDenied',
    status: 403,
    type: 'Sender',
    message: 'Access Denied',
    variants: {
      explained:
        'User: {principal} is not authorized to perform: {action} on resource: "{resource}" {reason}',
      expired: 'Request has expired',
    },
    when: 'A request the caller’s policies, the bucket policy, its ACLs or Block Public Access do not allow. S3 explains the denial (the policy type and why) only to a caller of the bucket owner’s account; another account and anonymous callers read `Access Denied`.',
  },
  AccessControlListNotSupported: {
    code: 'AccessControlListNotSupported',
    status: 400,
    type: 'Sender',
    message: 'The bucket does not allow ACLs',
    when: 'An ACL other than bucket-owner-full-control or private on a bucket whose Object Ownership is BucketOwnerEnforced (the default for new buckets).',
  },
  AuthorizationHeaderMalformed: {
    code: 'AuthorizationHeaderMalformed',
    status: 400,
    type: 'Sender',
    message: 'The authorization header is malformed; {detail}',
    when: 'An Authorization header whose credential scope is malformed or names another region than the bucket’s.',
  },
  AuthorizationQueryParametersError: {
    code: 'AuthorizationQueryParametersError',
    status: 400,
    type: 'Sender',
    message: '{detail}',
    when: 'A presigned URL whose X-Amz-* query parameters are missing or malformed (X-Amz-Expires over 604800).',
  },
  BadDigest: {
    code: 'BadDigest',
    status: 400,
    type: 'Sender',
    message: 'The Content-MD5 you specified did not match what we received.',
    variants: {
      checksum: 'The {algorithm} you specified did not match the calculated checksum.',
    },
    when: 'A body whose MD5 or flexible checksum differs from the one the client declared.',
  },
  BucketAlreadyExists: {
    code: 'BucketAlreadyExists',
    status: 409,
    type: 'Sender',
    message:
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
    when: 'CreateBucket of a name another account owns.',
  },
  BucketAlreadyOwnedByYou: {
    code: 'BucketAlreadyOwnedByYou',
    status: 409,
    type: 'Sender',
    message: 'Your previous request to create the named bucket succeeded and you already own it.',
    when: 'CreateBucket of a name the caller’s account already owns (outside us-east-1, where S3 answers 200).',
  },
  BucketNotEmpty: {
    code: 'BucketNotEmpty',
    status: 409,
    type: 'Sender',
    message: 'The bucket you tried to delete is not empty',
    when: 'DeleteBucket of a bucket that holds objects or unfinished multipart uploads.',
  },
  EntityTooLarge: {
    code: 'EntityTooLarge',
    status: 400,
    type: 'Sender',
    message: 'Your proposed upload exceeds the maximum allowed size',
    when: 'A single PUT over 5 GiB, or a part over 5 GiB.',
  },
  EntityTooSmall: {
    code: 'EntityTooSmall',
    status: 400,
    type: 'Sender',
    message: 'Your proposed upload is smaller than the minimum allowed size',
    when: 'CompleteMultipartUpload with a part other than the last under 5 MiB.',
  },
  ExpiredToken: {
    code: 'ExpiredToken',
    status: 400,
    type: 'Sender',
    message: 'The provided token has expired.',
    when: 'Session credentials whose session has ended.',
  },
  IllegalLocationConstraintException: {
    code: 'IllegalLocationConstraintException',
    status: 400,
    type: 'Sender',
    message:
      'The {region} location constraint is incompatible for the region specific endpoint this request was sent to.',
    variants: {
      unspecified:
        'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
    },
    when: 'CreateBucket whose LocationConstraint differs from the region of the request’s credential scope.',
  },
  IncompleteBody: {
    code: 'IncompleteBody',
    status: 400,
    type: 'Sender',
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header',
    when: 'A body shorter than its declared length, or an aws-chunked body that ends early.',
  },
  InternalError: {
    code: 'InternalError',
    status: 500,
    type: 'Receiver',
    message: 'We encountered an internal error. Please try again.',
    when: 'An irsa bug or a storage failure; the details are in the log only.',
  },
  InvalidAccessKeyId: {
    code: 'InvalidAccessKeyId',
    status: 403,
    type: 'Sender',
    message: 'The AWS Access Key Id you provided does not exist in our records.',
    when: 'A signature made with an access key id the account does not have.',
  },
  InvalidArgument: {
    code: 'InvalidArgument',
    status: 400,
    type: 'Sender',
    message: 'Invalid Argument',
    variants: {
      maxKeys: 'Provided max-keys not an integer or within integer range',
      partNumber: 'Part number must be an integer between 1 and 10000, inclusive',
      range: 'Invalid Argument',
      contentSha256:
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
    },
    when: 'A parameter or header with a value S3 does not accept.',
  },
  InvalidBucketName: {
    code: 'InvalidBucketName',
    status: 400,
    type: 'Sender',
    message: 'The specified bucket is not valid.',
    when: 'A bucket name that breaks S3’s naming rules (3–63 characters, lower-case letters, digits, dots and hyphens, …).',
  },
  InvalidDigest: {
    code: 'InvalidDigest',
    status: 400,
    type: 'Sender',
    message: 'The Content-MD5 you specified is not valid.',
    when: 'A Content-MD5 header that is not the base64 of 16 bytes.',
  },
  InvalidPart: {
    code: 'InvalidPart',
    status: 400,
    type: 'Sender',
    message:
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    when: 'CompleteMultipartUpload naming a part that was not uploaded or whose ETag differs.',
  },
  InvalidPartOrder: {
    code: 'InvalidPartOrder',
    status: 400,
    type: 'Sender',
    message:
      'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
    when: 'CompleteMultipartUpload whose parts are not in ascending order.',
  },
  InvalidRange: {
    code: 'InvalidRange',
    status: 416,
    type: 'Sender',
    message: 'The requested range is not satisfiable',
    when: 'A Range header that starts beyond the end of the object.',
  },
  InvalidRequest: {
    code: 'InvalidRequest',
    status: 400,
    type: 'Sender',
    message: 'Invalid Request',
    variants: {
      checksumType: 'Value for x-amz-checksum-{algorithm} header is invalid.',
      trailer: 'The value specified in the x-amz-trailer header is not supported',
      copySelf:
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      ownership: 'Invalid value for x-amz-object-ownership header: {value}',
      checksumAlgorithm:
        'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, SHA1, SHA256]',
      streamingAnonymous: 'A signed streaming payload needs a signed request',
      sigv2:
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    },
    when: 'A request that is well-formed but not acceptable (an unknown checksum algorithm, a copy onto itself).',
  },
  InvalidToken: {
    code: 'InvalidToken',
    status: 400,
    type: 'Sender',
    message: 'The provided token is malformed or otherwise invalid.',
    when: 'An `x-amz-security-token` that does not belong to the access key.',
  },
  InvalidURI: {
    code: 'InvalidURI',
    status: 400,
    type: 'Sender',
    message: "Couldn't parse the specified URI.",
    when: 'A request path that is not valid percent-encoded UTF-8.',
  },
  MalformedPolicy: {
    code: 'MalformedPolicy',
    status: 400,
    type: 'Sender',
    message: '{detail}',
    when: 'PutBucketPolicy with a document that is not a valid bucket policy (no Principal, an action that is not S3’s, a resource outside the bucket).',
  },
  MalformedXML: {
    code: 'MalformedXML',
    status: 400,
    type: 'Sender',
    message:
      'The XML you provided was not well-formed or did not validate against our published schema',
    when: 'A request body that is not well-formed XML or not the operation’s document.',
  },
  MethodNotAllowed: {
    code: 'MethodNotAllowed',
    status: 405,
    type: 'Sender',
    message: 'The specified method is not allowed against this resource.',
    when: 'A method the addressed resource does not support.',
  },
  MissingContentLength: {
    code: 'MissingContentLength',
    status: 411,
    type: 'Sender',
    message: 'You must provide the Content-Length HTTP header.',
    when: 'A PUT with no Content-Length and no decoded length.',
  },
  MissingSecurityHeader: {
    code: 'MissingSecurityHeader',
    status: 400,
    type: 'Sender',
    message: 'Your request was missing a required header',
    when: 'A signed request without `x-amz-content-sha256`.',
  },
  NoSuchBucket: {
    code: 'NoSuchBucket',
    status: 404,
    type: 'Sender',
    message: 'The specified bucket does not exist',
    when: 'A request for a bucket that does not exist.',
  },
  NoSuchBucketPolicy: {
    code: 'NoSuchBucketPolicy',
    status: 404,
    type: 'Sender',
    message: 'The bucket policy does not exist',
    when: 'GetBucketPolicy of a bucket with none.',
  },
  NoSuchKey: {
    code: 'NoSuchKey',
    status: 404,
    type: 'Sender',
    message: 'The specified key does not exist.',
    when: 'A request for an object that does not exist (when the caller may list the bucket; otherwise AccessDenied).',
  },
  NoSuchPublicAccessBlockConfiguration: {
    code: 'NoSuchPublicAccessBlockConfiguration',
    status: 404,
    type: 'Sender',
    message: 'The public access block configuration was not found',
    when: 'GetPublicAccessBlock of a bucket with none.',
  },
  NoSuchTagSet: {
    code: 'NoSuchTagSet',
    status: 404,
    type: 'Sender',
    message: 'The TagSet does not exist',
    when: 'Reserved: GetBucketTagging of a bucket with no tags.',
  },
  NoSuchUpload: {
    code: 'NoSuchUpload',
    status: 404,
    type: 'Sender',
    message:
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    when: 'A multipart request whose upload id is unknown, aborted or completed.',
  },
  NotImplemented: {
    code: 'NotImplemented',
    status: 501,
    type: 'Receiver',
    message: 'A header you provided implies functionality that is not implemented',
    variants: {
      operation: 'The {operation} operation is not implemented by irsa',
    },
    when: 'An S3 operation or header irsa does not serve.',
  },
  OwnershipControlsNotFoundError: {
    code: 'OwnershipControlsNotFoundError',
    status: 404,
    type: 'Sender',
    message: 'The bucket ownership controls were not found',
    when: 'GetBucketOwnershipControls of a bucket with none.',
  },
  PreconditionFailed: {
    code: 'PreconditionFailed',
    status: 412,
    type: 'Sender',
    message: 'At least one of the pre-conditions you specified did not hold',
    when: 'If-Match or If-Unmodified-Since that does not hold.',
  },
  RequestTimeTooSkewed: {
    code: 'RequestTimeTooSkewed',
    status: 403,
    type: 'Sender',
    message: 'The difference between the request time and the current time is too large.',
    when: 'A header-signed request made more than 15 minutes from the server’s time.',
  },
  SignatureDoesNotMatch: {
    code: 'SignatureDoesNotMatch',
    status: 403,
    type: 'Sender',
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    when: 'A signature (header, presigned or of a chunk) that does not verify.',
  },
  XAmzContentSHA256Mismatch: {
    code: 'XAmzContentSHA256Mismatch',
    status: 400,
    type: 'Sender',
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    when: 'A body whose SHA-256 differs from the signed `x-amz-content-sha256`.',
  },
} as const satisfies Readonly<Record<string, AwsErrorEntry>>
