import type { ListRule, StringRule } from '../aws/index.js'

/**
 * Parameter constraints of the IAM model (botocore `iam/2010-05-08/service-2.json`
 * shapes), with the model's pattern text for AWS's ValidationError wording.
 */
const rule = (min: number, max: number, pattern?: RegExp, patternText?: string): StringRule => ({
  min,
  max,
  ...(pattern === undefined ? {} : { pattern, patternText: patternText ?? pattern.source }),
})

/** `roleNameType`. */
export const ROLE_NAME = rule(1, 64, /^[\w+=,.@-]+$/u, '[\\w+=,.@-]+')
/** `policyNameType`. */
export const POLICY_NAME = rule(1, 128, /^[\w+=,.@-]+$/u, '[\\w+=,.@-]+')
/** `pathType`. */
export const PATH = rule(
  1,
  512,
  /^(\/|\/[\u0021-\u007E]+\/)$/u,
  '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
)
/** `pathPrefixType`. */
export const PATH_PREFIX = rule(1, 512, /^\/[\u0021-\u007F]*$/u, '\\u002F[\\u0021-\\u007F]*')
/** `policyDocumentType`. */
export const POLICY_DOCUMENT = rule(
  1,
  131072,
  // eslint-disable-next-line no-control-regex -- the model's pattern admits tab, LF and CR
  /^[\u0009\u000A\u000D\u0020-\u00FF]+$/u,
  '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
)
/** `arnType`. */
export const ARN = rule(20, 2048)
/** `roleDescriptionType`. */
export const ROLE_DESCRIPTION = rule(
  0,
  1000,
  // eslint-disable-next-line no-control-regex -- the model's pattern admits tab, LF and CR
  /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/u,
  '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*',
)
/** `policyDescriptionType`. */
export const POLICY_DESCRIPTION = rule(0, 1000)
/** `markerType`. */
export const MARKER = rule(1, 320, /^[\u0020-\u00FF]+$/u, '[\\u0020-\\u00FF]+')
/** `OpenIDConnectProviderUrlType`. */
export const PROVIDER_URL = rule(1, 255)
/** `clientIDType`. */
export const CLIENT_ID = rule(1, 255)
/** `thumbprintType`: exactly 40 characters. */
export const THUMBPRINT = rule(40, 40)
/** `policyVersionIdType`. */
export const VERSION_ID = rule(
  0,
  1000,
  /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/u,
  'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?',
)
/** `tagKeyType`. */
export const TAG_KEY = rule(
  1,
  128,
  /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u,
  '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+',
)
/** `tagValueType`. */
export const TAG_VALUE = rule(
  0,
  256,
  /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*',
)
/** `ActionNameType`. */
export const ACTION_NAME = rule(3, 128)
/** `ResourceNameType`. */
export const RESOURCE_NAME = rule(1, 2048)
/** `ContextKeyNameType`. */
export const CONTEXT_KEY = rule(5, 256)

/** `tagListType`: at most 50 tags. */
export const TAG_LIST: ListRule = { max: 50 }
/** `tagKeyListType`: at most 50 keys. */
export const TAG_KEY_LIST: ListRule = { max: 50 }

/** `maxItemsType`. */
export const MAX_ITEMS = { min: 1, max: 1000 }
/** `roleMaxSessionDurationType`, seconds. */
export const MAX_SESSION_DURATION = { min: 3600, max: 43200 }

/** IAM quotas ("IAM and AWS STS quotas", IAM User Guide), default values. */
export const QUOTAS = {
  /** Role trust policy length, whitespace not counted. */
  ACLSizePerRole: 2048,
  /** Managed policies attached to one role. */
  PoliciesPerRole: 10,
  /** Client IDs of one OIDC provider. */
  ClientIdsPerOpenIdConnectProvider: 100,
  /** Thumbprints of one OIDC provider. */
  ThumbprintsPerOpenIdConnectProvider: 5,
  /** OIDC providers in an account. */
  OpenIdConnectProvidersPerAccount: 100,
  /** Managed policy document length, whitespace not counted. */
  PolicySize: 6144,
  /** Total length of a role's inline policies, whitespace not counted. */
  RolePolicySize: 10240,
  /** Tags on one role, policy or provider. */
  TagsPerEntity: 50,
  /** Roles in an account. */
  RolesPerAccount: 1000,
  /** Customer managed policies in an account. */
  PoliciesPerAccount: 1500,
} as const

/** A document's size as IAM counts it against quotas: without whitespace. */
export function policySize(text: string): number {
  let n = 0
  for (const ch of text) if (!/\s/u.test(ch)) n++
  return n
}

/** The rule, required (`Member must not be null` when absent). */
export function required(r: StringRule): StringRule & { readonly required: true } {
  return { ...r, required: true }
}
