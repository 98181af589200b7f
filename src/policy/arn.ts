/**
 * ARN patterns, matched segment by segment.
 *
 * An ARN is `arn:partition:service:region:account-id:resource`; the resource part may
 * itself hold colons and slashes. In a policy, `*` and `?` work within each of the first
 * five segments, and in the resource part `*` also matches `/` and `:`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
 * "Including wildcard characters in the resource ARN"; the ARN condition operators compare
 * "each of the six colon-delimited components of the ARN ... separately",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
 * Matching is case-sensitive.
 */
import { parseTemplate, templateGlob, type Resolver, type Template } from './template.js'
import { compileGlob, GLOB_EXACT, matchGlob, type Glob } from './wildcard.js'

/** Offsets of the first five colons of an ARN-shaped string, or undefined when it has fewer. */
export function arnColons(
  s: string,
): readonly [number, number, number, number, number] | undefined {
  const c1 = s.indexOf(':')
  if (c1 < 0) return undefined
  const c2 = s.indexOf(':', c1 + 1)
  if (c2 < 0) return undefined
  const c3 = s.indexOf(':', c2 + 1)
  if (c3 < 0) return undefined
  const c4 = s.indexOf(':', c3 + 1)
  if (c4 < 0) return undefined
  const c5 = s.indexOf(':', c4 + 1)
  if (c5 < 0) return undefined
  return [c1, c2, c3, c4, c5]
}

/**
 * One segment of a compiled ARN pattern: a glob, or a template when it holds policy
 * variables (exactly one of the two is set; one object shape for both keeps the matcher
 * monomorphic).
 */
interface ArnSegment {
  readonly glob: Glob | undefined
  readonly template: Template | undefined
}

/** A compiled ARN pattern (a Resource/NotResource value or an ARN condition value). */
export interface ArnPattern {
  readonly raw: string
  /** `*` alone: matches any resource. */
  readonly any: boolean
  /** The first five segments (`arn`, partition, service, region, account). */
  readonly head: readonly ArnSegment[] | undefined
  /**
   * When the five head segments are all literal: them joined, with the fifth colon
   * (`arn:aws:s3:::`); a value matches the head exactly when it starts with this.
   */
  readonly headLiteral: string | undefined
  /** The resource part. */
  readonly tail: ArnSegment | undefined
  /** For values that are not ARNs: the whole value as one pattern. */
  readonly whole: Glob | undefined
}

/** Splits at colons, except (with `variables`) colons inside `${...}`. */
function splitSegments(raw: string, variables: boolean): string[] {
  const out: string[] = []
  let from = 0
  let i = 0
  while (i < raw.length) {
    const c = raw[i]
    if (variables && c === '$' && raw[i + 1] === '{') {
      const close = raw.indexOf('}', i + 2)
      if (close >= 0) {
        i = close + 1
        continue
      }
    }
    if (c === ':') {
      out.push(raw.slice(from, i))
      from = i + 1
    }
    i++
  }
  out.push(raw.slice(from))
  return out
}

function segment(text: string, variables: boolean): ArnSegment {
  if (!variables) return { glob: compileGlob(text), template: undefined }
  const t = parseTemplate(text, { variables: true, wildcards: true })
  // Without variables the template is still needed for its escapes (`${*}` is a literal *).
  if (t.hasVars) return { glob: undefined, template: t }
  return { glob: templateGlob(t, undefined) ?? compileGlob(text), template: undefined }
}

/**
 * Compiles an ARN pattern.
 * - `variables`: where policy variables are substituted: nowhere, only in the resource
 *   part (a Resource element: "only in the resource portion of the ARN", variables page),
 *   or in every segment (ARN condition values).
 * - `pad`: a Resource value with fewer than six segments is completed with `*` segments,
 *   as IAM does when it stores it (IAM echoes such a value as `arn:p:s:*:*:*`).
 */
export function compileArnPattern(
  raw: string,
  variables: 'none' | 'resource' | 'all',
  pad: boolean,
): ArnPattern {
  if (raw === '*') {
    return {
      raw,
      any: true,
      head: undefined,
      headLiteral: undefined,
      tail: undefined,
      whole: undefined,
    }
  }
  const segs = splitSegments(raw, variables !== 'none')
  if (segs.length < 6 && pad && segs.length >= 2) while (segs.length < 6) segs.push('*')
  if (segs.length < 6) {
    return {
      raw,
      any: false,
      head: undefined,
      headLiteral: undefined,
      tail: undefined,
      whole: compileGlob(raw),
    }
  }
  const head = segs.slice(0, 5).map((x) => segment(x, variables === 'all'))
  const tail = segment(segs.slice(5).join(':'), variables !== 'none')
  const literal = head.every((h) => h.glob?.shape === GLOB_EXACT)
  const headLiteral = literal ? head.map((h) => h.glob?.literal ?? '').join(':') + ':' : undefined
  return { raw, any: false, head, headLiteral, tail, whole: undefined }
}

function part(
  g: ArnSegment,
  value: string,
  from: number,
  to: number,
  resolve: Resolver | undefined,
): boolean | undefined {
  if (g.glob !== undefined) return matchGlob(g.glob, value, from, to)
  const glob = g.template === undefined ? undefined : templateGlob(g.template, resolve)
  return glob === undefined ? undefined : matchGlob(glob, value, from, to)
}

/**
 * Whether `value` matches the pattern. `colons` are `value`'s first five colons (computed
 * once per request by the caller). Returns undefined when a policy variable has no value:
 * such a pattern matches nothing, and the caller decides what that means.
 */
export function arnPatternMatches(
  p: ArnPattern,
  value: string,
  colons: readonly number[] | undefined,
  resolve: Resolver | undefined,
): boolean | undefined {
  if (p.any) return true
  if (p.whole !== undefined) return matchGlob(p.whole, value)
  const head = p.head
  const tail = p.tail
  if (head === undefined || tail === undefined || colons === undefined) return false
  const literal = p.headLiteral
  if (literal !== undefined) {
    // The head's segments hold no colon, so a value that starts with them has its first
    // five colons exactly where the pattern has them.
    if (!value.startsWith(literal)) return false
    return part(tail, value, literal.length, value.length, resolve)
  }
  let from = 0
  for (let i = 0; i < 5; i++) {
    const g = head[i]
    const to = colons[i] ?? 0
    if (g === undefined) return false
    const m = part(g, value, from, to, resolve)
    if (m !== true) return m
    from = to + 1
  }
  return part(tail, value, from, value.length, resolve)
}

/**
 * Whether `arn` matches the ARN pattern `pattern` segment by segment (`*` and `?` within
 * each segment; in the resource part `*` also spans `/` and `:`). Case-sensitive. `*`
 * alone matches anything; a pattern with fewer than six segments is completed with `*`
 * segments, as IAM does for a Resource value.
 */
export function matchArn(pattern: string, arn: string): boolean {
  return (
    arnPatternMatches(compileArnPattern(pattern, 'none', true), arn, arnColons(arn), undefined) ===
    true
  )
}
