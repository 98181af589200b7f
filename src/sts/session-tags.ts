/** The token claim that carries session tags (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"). */
const TAGS_CLAIM = 'https://aws.amazon.com/tags'
/** The token claim that carries the source identity. */
export const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity'

/** At most 50 session tags; keys up to 128, values up to 256 characters. */
const MAX_SESSION_TAGS = 50
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u

/** Session tags taken from a token, or why the claim is not acceptable. */
export type TagClaim =
  | {
      readonly ok: true
      readonly tags: readonly { readonly key: string; readonly value: string }[]
      readonly transitiveKeys: readonly string[]
    }
  | { readonly ok: false; readonly why: string }

const NONE: TagClaim = { ok: true, tags: [], transitiveKeys: [] }

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Reads `{"principal_tags": {"K": ["V"]}, "transitive_tag_keys": ["K"]}` from the tags
 * claim: one value per tag, at most 50 tags, keys unique ignoring case, transitive keys
 * among the tags.
 */
export function tagsFromClaims(claims: Readonly<Record<string, unknown>>): TagClaim {
  const claim = claims[TAGS_CLAIM]
  if (claim === undefined) return NONE
  if (!isRecord(claim)) return { ok: false, why: 'the tags claim is not an object' }
  const principalTags = claim['principal_tags'] ?? {}
  if (!isRecord(principalTags)) return { ok: false, why: 'principal_tags is not an object' }
  const tags: { key: string; value: string }[] = []
  const seen = new Set<string>()
  for (const [key, raw] of Object.entries(principalTags)) {
    const value = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw
    if (typeof value !== 'string')
      return { ok: false, why: `tag ${key} does not have exactly one string value` }
    if (!TAG_KEY.test(key))
      return { ok: false, why: 'a tag key is empty, too long or has bad characters' }
    if (!TAG_VALUE.test(value))
      return { ok: false, why: `tag ${key}: value too long or bad characters` }
    if (seen.has(key.toLowerCase())) return { ok: false, why: `tag ${key} appears twice` }
    seen.add(key.toLowerCase())
    tags.push({ key, value })
  }
  if (tags.length > MAX_SESSION_TAGS)
    return { ok: false, why: `${tags.length} session tags (at most ${MAX_SESSION_TAGS})` }
  const transitive = claim['transitive_tag_keys'] ?? []
  if (!Array.isArray(transitive) || !transitive.every((k) => typeof k === 'string'))
    return { ok: false, why: 'transitive_tag_keys is not a list of strings' }
  for (const k of transitive)
    if (!seen.has(k.toLowerCase()))
      return { ok: false, why: `transitive tag key ${k} is not a session tag` }
  return { ok: true, tags, transitiveKeys: transitive }
}
