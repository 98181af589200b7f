import { awsError, IAM_ERRORS, type QueryValidation, type QueryParams } from '../aws/index.js'
import type { Tag } from '../store/index.js'
import { QUOTAS, TAG_KEY, TAG_KEY_LIST, TAG_LIST, TAG_VALUE } from './rules.js'

/**
 * Reads `Tags.member.N.Key/Value`, checking each against the model (AWS names the members
 * `tags.N.member.key` in its messages) and refusing a key given twice in any case.
 */
export function readTags(
  params: QueryParams,
  v: QueryValidation,
  required = false,
): Tag[] | undefined {
  const entries = params.mapEntries('Tags', { entry: 'member', key: 'Key', value: 'Value' })
  if (entries === undefined) {
    if (required) v.fail('tags', undefined, 'Member must not be null')
    return undefined
  }
  if (TAG_LIST.max !== undefined && entries.length > TAG_LIST.max)
    v.fail(
      'tags',
      `[${entries.length} tags]`,
      `Member must have length less than or equal to ${TAG_LIST.max}`,
    )
  const tags: Tag[] = []
  entries.forEach(([key, value], i) => {
    const n = i + 1
    check(v, `tags.${n}.member.key`, key, TAG_KEY)
    if (value === undefined) v.fail(`tags.${n}.member.value`, undefined, 'Member must not be null')
    else check(v, `tags.${n}.member.value`, value, TAG_VALUE)
    tags.push({ key, value: value ?? '' })
  })
  return tags
}

function check(
  v: QueryValidation,
  member: string,
  value: string,
  rule: { min?: number; max?: number; pattern?: RegExp; patternText?: string },
): void {
  if (rule.min !== undefined && value.length < rule.min)
    v.fail(member, value, `Member must have length greater than or equal to ${rule.min}`)
  if (rule.max !== undefined && value.length > rule.max)
    v.fail(member, value, `Member must have length less than or equal to ${rule.max}`)
  if (rule.pattern !== undefined && !rule.pattern.test(value))
    v.fail(
      member,
      value,
      `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`,
    )
}

/** Reads `TagKeys.member.N` (required) with the model's checks. */
export function readTagKeys(v: QueryValidation): string[] {
  const keys = v.list('TagKeys', { required: true, max: TAG_KEY_LIST.max ?? 50 })
  keys.forEach((k, i) => {
    check(v, `tagKeys.${i + 1}.member`, k, TAG_KEY)
  })
  return keys
}

/** Refuses a request that names one key twice (IAM compares tag keys without case). */
export function refuseDuplicateKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>()
  for (const t of tags) {
    const k = t.key.toLowerCase()
    if (seen.has(k))
      throw awsError(IAM_ERRORS.InvalidInput, {
        variant: 'duplicateTagKeys',
        reason: `tag key ${t.key} given twice`,
      })
    seen.add(k)
  }
}

/** Refuses tagging that would leave an entity with more than 50 tags. */
export function checkTagQuota(
  quota: string,
  existing: readonly Tag[],
  added: readonly Tag[],
  caseInsensitive: boolean,
): void {
  const norm = (k: string): string => (caseInsensitive ? k.toLowerCase() : k)
  const keys = new Set(existing.map((t) => norm(t.key)))
  for (const t of added) keys.add(norm(t.key))
  if (keys.size > QUOTAS.TagsPerEntity)
    throw awsError(IAM_ERRORS.LimitExceeded, {
      variant: 'quota',
      params: { quota, limit: QUOTAS.TagsPerEntity },
    })
}

/** `aws:RequestTag/k` and `aws:TagKeys` for an action that adds tags. */
export function requestTagContext(
  tags: readonly Tag[] | undefined,
): Record<string, string | readonly string[]> {
  if (tags === undefined || tags.length === 0) return {}
  const ctx: Record<string, string | readonly string[]> = {}
  for (const t of tags) ctx[`aws:RequestTag/${t.key}`] = t.value
  ctx['aws:TagKeys'] = tags.map((t) => t.key)
  return ctx
}

/** `aws:ResourceTag/k` for an action on an existing, tagged entity. */
export function resourceTagContext(tags: readonly Tag[]): Record<string, string> {
  const ctx: Record<string, string> = {}
  for (const t of tags) ctx[`aws:ResourceTag/${t.key}`] = t.value
  return ctx
}
