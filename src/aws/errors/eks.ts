import type { AwsErrorEntry } from './entry.js'

/**
 * EKS's errors (REST-JSON, API version 2017-11-01). The modelled ones and their statuses
 * come from AWS's EKS model (botocore `data/eks/2017-11-01/service-2.json`); the
 * authentication ones are the REST-JSON names AWS's front end uses for the Query
 * protocol's common errors (`UnrecognizedClientException` for `InvalidClientTokenId`, and
 * so on). REST-JSON has no Sender/Receiver element; `type` records the fault side only.
 */
export const EKS_ERRORS = {
  AccessDeniedException: {
    code: 'AccessDeniedException',
    status: 403,
    type: 'Sender',
    message: 'User: {principal} is not authorized to perform: {action} on resource: {resource}',
    when: 'A signed call that the caller’s policies do not allow.',
  },
  BadRequestException: {
    code: 'BadRequestException',
    status: 400,
    type: 'Sender',
    message: 'The request is malformed.',
    when: 'A request body or query string that does not decode.',
  },
  ExpiredTokenException: {
    code: 'ExpiredTokenException',
    status: 403,
    type: 'Sender',
    message: 'The security token included in the request is expired',
    when: 'Session credentials whose session has ended.',
  },
  IncompleteSignatureException: {
    code: 'IncompleteSignatureException',
    status: 403,
    type: 'Sender',
    message: 'The request signature does not conform to AWS standards.',
    when: 'A malformed Authorization header or presigned query.',
  },
  InvalidParameterException: {
    code: 'InvalidParameterException',
    status: 400,
    type: 'Sender',
    message:
      'The specified parameter is invalid. Review the available parameters for the API request.',
    when: 'A parameter that breaks its constraint (a cluster name with bad characters, maxResults out of range).',
  },
  InvalidRequestException: {
    code: 'InvalidRequestException',
    status: 400,
    type: 'Sender',
    message: 'The request is invalid given the state of the cluster.',
    when: 'Reserved: a request the cluster’s state does not allow.',
  },
  InvalidSignatureException: {
    code: 'InvalidSignatureException',
    status: 403,
    type: 'Sender',
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    when: 'A signature that does not verify, or one made more than 15 minutes from the server’s time.',
  },
  MissingAuthenticationTokenException: {
    code: 'MissingAuthenticationTokenException',
    status: 403,
    type: 'Sender',
    message: 'Missing Authentication Token',
    when: 'An unsigned call.',
  },
  NotFoundException: {
    code: 'NotFoundException',
    status: 404,
    type: 'Sender',
    message: 'The resource could not be found.',
    when: 'A path that names no EKS operation irsa serves.',
  },
  RequestEntityTooLargeException: {
    code: 'RequestEntityTooLargeException',
    status: 413,
    type: 'Sender',
    message: 'Request body must be at most {limit} bytes',
    when: 'A body over the configured limit.',
  },
  ResourceNotFoundException: {
    code: 'ResourceNotFoundException',
    status: 404,
    type: 'Sender',
    message: 'No cluster found for name: {name}.',
    when: 'DescribeCluster of a cluster that does not exist.',
  },
  ServerException: {
    code: 'ServerException',
    status: 500,
    type: 'Receiver',
    message: 'These errors are usually caused by a server-side issue.',
    when: 'Any unexpected failure inside irsa. Details go to the log only.',
  },
  ServiceUnavailableException: {
    code: 'ServiceUnavailableException',
    status: 503,
    type: 'Receiver',
    message: 'The service is unavailable. Back off and retry the operation.',
    when: 'The endpoint is shutting down or the store is unavailable.',
  },
  ThrottlingException: {
    code: 'ThrottlingException',
    status: 429,
    type: 'Sender',
    message: 'Rate exceeded',
    when: 'Reserved for rate limits.',
  },
  UnrecognizedClientException: {
    code: 'UnrecognizedClientException',
    status: 403,
    type: 'Sender',
    message: 'The security token included in the request is invalid.',
    when: 'An unknown access key id or an invalid session token.',
  },
} as const satisfies Record<string, AwsErrorEntry>
