import type { AwsErrorEntry } from './entry.js'

/**
 * STS's own errors (API version 2011-06-15). Codes and statuses are the `error` traits of
 * AWS's STS model (botocore `data/sts/2011-06-15/service-2.json`); messages are the ones
 * real STS sends, quoted in public issues (see docs/errors.md for each source).
 */
export const STS_ERRORS = {
  AccessDenied: {
    code: 'AccessDenied',
    status: 403,
    type: 'Sender',
    message: 'Not authorized to perform {action}',
    when: 'The role’s trust policy does not allow the call, or the role does not exist (AWS does not tell the two apart).',
  },
  ExpiredTokenException: {
    code: 'ExpiredTokenException',
    status: 400,
    type: 'Sender',
    message: 'Token expired: current date/time {now} must be before the expiration date/time {exp}',
    when: 'The web identity token’s `exp` has passed (beyond the allowed skew).',
  },
  IDPCommunicationError: {
    code: 'IDPCommunicationError',
    status: 400,
    type: 'Sender',
    message:
      "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    when: 'The issuer’s discovery document or JWKS could not be fetched in time. Clients retry it.',
  },
  IDPRejectedClaim: {
    code: 'IDPRejectedClaim',
    status: 403,
    type: 'Sender',
    message:
      'The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.',
    when: 'Reserved: AWS raises it for OAuth 2.0 providers that refuse a token.',
  },
  InvalidIdentityToken: {
    code: 'InvalidIdentityToken',
    status: 400,
    type: 'Sender',
    message: 'The web identity token that was passed could not be validated.',
    variants: {
      noProvider: 'No OpenIDConnect provider found in your account for {issuer}',
      audience: 'Incorrect token audience',
      verificationKey:
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
      thumbprint: "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    },
    when: 'The token is malformed, its signature or algorithm is wrong, no key has its `kid`, no OIDC provider matches its `iss`, its `aud` is not a client ID of the provider, or the issuer’s certificate is neither trusted nor on the provider’s thumbprint list.',
  },
  MalformedPolicyDocument: {
    code: 'MalformedPolicyDocument',
    status: 400,
    type: 'Sender',
    message: 'The request was rejected because the policy document was malformed.',
    when: 'The session `Policy` parameter is not a valid policy.',
  },
  PackedPolicyTooLarge: {
    code: 'PackedPolicyTooLarge',
    status: 400,
    type: 'Sender',
    message:
      'The request was rejected because the total packed size of the session policies and session tags combined was too large.',
    when: 'Session policies and session tags together are too large.',
  },
  RegionDisabledException: {
    code: 'RegionDisabledException',
    status: 403,
    type: 'Sender',
    message:
      'STS is not activated in the requested region for the account that is being asked to generate credentials.',
    when: 'Reserved: STS is not activated in the region the request names.',
  },
  ValidationError: {
    code: 'ValidationError',
    status: 400,
    type: 'Sender',
    message: 'The input fails to satisfy the constraints specified by an AWS service.',
    variants: {
      durationAboveMax:
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      roleChaining:
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      invalidArn: 'Request ARN is invalid',
    },
    when: 'A parameter breaks its constraint (RoleSessionName pattern, DurationSeconds range, token length), the RoleArn or a PolicyArns member is not an ARN of its kind, DurationSeconds exceeds the role’s MaxSessionDuration, or a role session asks for more than an hour.',
  },
} as const satisfies Record<string, AwsErrorEntry>
