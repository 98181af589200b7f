import type { AwsErrorEntry } from './entry.js'

/**
 * Errors every AWS Query endpoint (IAM and STS) can return, mostly from authentication
 * and request parsing. Codes and statuses: AWS's "Common Errors" API reference (the same
 * table in every Query service's reference) and real responses quoted in public issues;
 * see docs/errors.md for the sources of each message.
 */
export const COMMON_ERRORS = {
  AccessDenied: {
    code: 'AccessDenied',
    status: 403,
    type: 'Sender',
    message: 'User: {principal} is not authorized to perform: {action} on resource: {resource}',
    when: 'A signed call that the caller’s policies do not allow.',
  },
  ExpiredToken: {
    code: 'ExpiredToken',
    status: 403,
    type: 'Sender',
    message: 'The security token included in the request is expired',
    when: 'A signed call made with session credentials whose session has ended.',
  },
  IncompleteSignature: {
    code: 'IncompleteSignature',
    status: 400,
    type: 'Sender',
    message: 'The request signature does not conform to AWS standards.',
    variants: {
      missingComponents: '{missing}',
      notKeyValue:
        'A component of the Authorization header is not a valid key=value pair (missing equal-sign).',
      credentialElements:
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'",
      missingDate:
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      badDate: "Date must be in ISO-8601 'basic format'. Got '{date}'.",
      unsupportedAlgorithm: "Unsupported AWS 'algorithm': '{algorithm}'",
      hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      signedHeaderMissing:
        "'{header}' is named as a SignedHeader, but it does not exist in the HTTP request.",
      queryMissing:
        "AWS query-string parameters must include '{parameter}'. Re-examine the query-string parameters.",
      badExpires: 'X-Amz-Expires must be an integer from 1 to 604800 (seconds), got {expires}',
      twoMechanisms:
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
    },
    when: 'A malformed Authorization header or presigned query: missing parts, a bad credential scope or date.',
  },
  InternalFailure: {
    code: 'InternalFailure',
    status: 500,
    type: 'Receiver',
    message: 'The request processing has failed because of an unknown error, exception or failure.',
    when: 'Any unexpected failure inside irsa. The details go to the log, never to the client.',
  },
  InvalidAction: {
    code: 'InvalidAction',
    status: 400,
    type: 'Sender',
    message: 'Could not find operation {action} for version {version}',
    when: 'An Action the addressed service does not implement.',
  },
  InvalidClientTokenId: {
    code: 'InvalidClientTokenId',
    status: 403,
    type: 'Sender',
    message: 'The security token included in the request is invalid.',
    when: 'A signed call with an unknown access key id, or a session token that does not decrypt or does not belong to the key.',
  },
  InvalidParameterValue: {
    code: 'InvalidParameterValue',
    status: 400,
    type: 'Sender',
    message: 'An invalid or out-of-range value was supplied for the input parameter.',
    variants: {
      notInteger: 'Value ({value}) for parameter {name} is invalid. Expected an integer.',
    },
    when: 'A parameter value of the wrong type (an integer parameter that is not a number).',
  },
  MalformedQueryString: {
    code: 'MalformedQueryString',
    status: 404,
    type: 'Sender',
    message: 'The query string contains a syntax error.',
    when: 'A form body or query string that does not decode (a bad %-escape, invalid UTF-8).',
  },
  MissingAction: {
    code: 'MissingAction',
    status: 400,
    type: 'Sender',
    message: 'The request is missing an action or a required parameter.',
    when: 'A Query request without an Action parameter.',
  },
  MissingAuthenticationToken: {
    code: 'MissingAuthenticationToken',
    status: 403,
    type: 'Sender',
    message: 'Request is missing Authentication Token',
    when: 'An unsigned call to an action that needs a signature (everything but AssumeRoleWithWebIdentity and the other unsigned STS actions).',
  },
  MissingParameter: {
    code: 'MissingParameter',
    status: 400,
    type: 'Sender',
    message: 'The request must contain the parameter {name}',
    when: 'A required parameter is absent, where AWS reports it this way rather than as ValidationError.',
  },
  NotImplemented: {
    code: 'NotImplemented',
    status: 400,
    type: 'Sender',
    message: 'irsa does not serve {service}: this endpoint serves {served}',
    when: 'A request for an AWS service irsa does not serve, named by the SigV4 credential scope, or for an unsigned request by its X-Amz-Target or host. Rendered in the protocol of the client (JSON with x-amzn-ErrorType for JSON-protocol services, XML otherwise). A 4xx, so the SDKs do not retry it.',
  },
  OptInRequired: {
    code: 'OptInRequired',
    status: 403,
    type: 'Sender',
    message: 'The AWS Access Key Id needs a subscription for the service',
    when: 'Reserved: a credential scope naming a service irsa does not serve.',
  },
  RequestEntityTooLarge: {
    code: 'RequestEntityTooLarge',
    status: 413,
    type: 'Sender',
    message: 'Request body must be at most {limit} bytes',
    when: 'A body over the configured limit (1 MiB by default). irsa’s own code: AWS documents only the 413 status for this case.',
  },
  RequestExpired: {
    code: 'RequestExpired',
    status: 400,
    type: 'Sender',
    message: 'Request has expired.',
    when: 'A presigned URL used after X-Amz-Date + X-Amz-Expires.',
  },
  ServiceUnavailable: {
    code: 'ServiceUnavailable',
    status: 503,
    type: 'Receiver',
    message: 'The request has failed due to a temporary failure of the server.',
    when: 'The endpoint is shutting down or a dependency (the store) is unavailable.',
  },
  SignatureDoesNotMatch: {
    code: 'SignatureDoesNotMatch',
    status: 403,
    type: 'Sender',
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    variants: {
      expired: 'Signature expired: {signed} is now earlier than {earliest} ({now} - 15 min.)',
      notYetCurrent:
        'Signature not yet current: {signed} is still later than {latest} ({now} + 15 min.)',
      scopeDate:
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{date}', from '{amzDate}'.",
      scopeService: "Credential should be scoped to correct service: '{service}'. ",
      scopeRegion: "Credential should be scoped to a valid region, not '{region}'. ",
      scopeTerminator:
        "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. ",
    },
    when: 'A signature that does not verify, a credential scope for another service or day, or a request signed more than 15 minutes from the server’s time.',
  },
  Throttling: {
    code: 'Throttling',
    status: 400,
    type: 'Sender',
    message: 'Rate exceeded',
    when: 'Reserved for rate limits.',
  },
  ValidationError: {
    code: 'ValidationError',
    status: 400,
    type: 'Sender',
    message: 'The input fails to satisfy the constraints specified by an AWS service.',
    when: 'A parameter breaks its model constraint (length, range, pattern, required); the message lists each, AWS-style.',
  },
} as const satisfies Record<string, AwsErrorEntry>
