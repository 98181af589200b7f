import { awsError, STS_ERRORS, type AwsError } from '../aws/index.js'
import type { PolicyCache } from '../iam/index.js'
import { MAX_SESSION_POLICY_CHARS } from './params.js'

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy\/[\x21-\x7e]{1,1500}$/

/** The session policies of an assume call, checked, and how much room they take. */
type SessionPolicies =
  | {
      readonly ok: true
      /**
       * The packed size as a percentage of the limit: session policy and ARNs and the
       * session tags' keys and values, in characters, over 2048 (AWS packs them in a
       * binary format of its own; see docs/sts.md).
       */
      readonly packedSize: (tags: readonly { key: string; value: string }[]) => number
    }
  | { readonly ok: false; readonly error: AwsError; readonly why: string }

/**
 * Checks a session policy (`Policy`: valid for a session, MalformedPolicyDocument
 * otherwise) and managed policy ARNs (`PolicyArns`: well-formed policy ARNs), and that the
 * two together fit STS's 2048 characters (PackedPolicyTooLarge).
 */
export function sessionPolicies(
  cache: PolicyCache,
  policy: string | undefined,
  policyArns: readonly string[],
): SessionPolicies {
  if (policy !== undefined) {
    try {
      cache.get(policy, 'session', 'session policy', 'none')
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e)
      return {
        ok: false,
        error: awsError(STS_ERRORS.MalformedPolicyDocument, { reason: why }),
        why,
      }
    }
  }
  for (const arn of policyArns)
    if (!POLICY_ARN.test(arn))
      return {
        ok: false,
        error: awsError(STS_ERRORS.ValidationError, { variant: 'invalidArn' }),
        why: 'a PolicyArns member is not a policy ARN',
      }
  const base = (policy?.length ?? 0) + policyArns.reduce((n, a) => n + a.length, 0)
  const packedSize = (tags: readonly { key: string; value: string }[]): number =>
    Math.ceil(
      (100 * (base + tags.reduce((n, t) => n + t.key.length + t.value.length, 0))) /
        MAX_SESSION_POLICY_CHARS,
    )
  if (packedSize([]) > 100)
    return {
      ok: false,
      error: awsError(STS_ERRORS.PackedPolicyTooLarge),
      why: `session policy and ARNs are ${base} characters (at most ${MAX_SESSION_POLICY_CHARS})`,
    }
  return { ok: true, packedSize }
}
