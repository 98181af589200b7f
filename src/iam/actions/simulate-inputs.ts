import type { QueryParams } from '../../aws/index.js'
import {
  CONTEXT_KEY_TYPES,
  type ContextEntry,
  type ContextKeyType,
  type RequestContext,
} from '../../policy/index.js'
import type { IamCall } from '../action-kit.js'
import { CONTEXT_KEY, POLICY_DOCUMENT } from '../rules.js'

/*
 * The simulator's list and structure parameters, read and checked against IAM's model:
 * policy documents, action and resource names, and context entries.
 */

const TYPES = new Set<string>(CONTEXT_KEY_TYPES)

/**
 * Reads `ContextEntries.member.N.{ContextKeyName, ContextKeyType, ContextKeyValues.member.M}`
 * into a prototype-less record.
 */
export function readContextEntries(params: QueryParams, call: IamCall): RequestContext {
  // No prototype: a key is the caller's text, and `__proto__` or `constructor` is just a key.
  const ctx = Object.create(null) as Record<string, ContextEntry>
  ;(params.structs('ContextEntries') ?? []).forEach((s, i) => {
    const at = `contextEntries.${i + 1}.member`
    const key = s.string('ContextKeyName')
    const type = s.string('ContextKeyType')
    const values = s.list('ContextKeyValues') ?? []
    if (key === undefined) call.v.fail(`${at}.contextKeyName`, undefined, 'Member must not be null')
    else if (key.length < (CONTEXT_KEY.min ?? 5) || key.length > (CONTEXT_KEY.max ?? 256))
      call.v.fail(
        `${at}.contextKeyName`,
        key,
        key.length < 5
          ? 'Member must have length greater than or equal to 5'
          : 'Member must have length less than or equal to 256',
      )
    if (type === undefined)
      call.v.fail(`${at}.contextKeyType`, undefined, 'Member must not be null')
    else if (!TYPES.has(type))
      call.v.fail(
        `${at}.contextKeyType`,
        type,
        `Member must satisfy enum value set: [${CONTEXT_KEY_TYPES.join(', ')}]`,
      )
    if (key !== undefined && type !== undefined && TYPES.has(type))
      ctx[key] = {
        type: type as ContextKeyType,
        values: type.endsWith('List') ? values : values.slice(0, 1),
      }
  })
  return ctx
}

/** Reads a list of policy documents (`PolicyInputList.member.N`). */
export function readDocuments(call: IamCall, name: string, required: boolean): string[] {
  const docs = required ? call.v.list(name, { required: true }) : (call.v.list(name) ?? [])
  const member = name.charAt(0).toLowerCase() + name.slice(1)
  docs.forEach((d, i) => {
    if (d.length < 1 || !(POLICY_DOCUMENT.pattern?.test(d) ?? true))
      call.v.fail(
        `${member}.${i + 1}.member`,
        d.length > 64 ? `${d.slice(0, 64)}…` : d,
        d.length < 1
          ? 'Member must have length greater than or equal to 1'
          : `Member must satisfy regular expression pattern: ${POLICY_DOCUMENT.patternText ?? ''}`,
      )
  })
  return docs
}

/** Reads a list of names (`ActionNames`, `ResourceArns`) with per-member length checks. */
export function readNames(
  call: IamCall,
  name: string,
  rule: { min?: number; max?: number },
  req: boolean,
): string[] | undefined {
  const values = req ? call.v.list(name, { required: true }) : call.v.list(name)
  const member = name.charAt(0).toLowerCase() + name.slice(1)
  values?.forEach((x, i) => {
    if (rule.min !== undefined && x.length < rule.min)
      call.v.fail(
        `${member}.${i + 1}.member`,
        x,
        `Member must have length greater than or equal to ${rule.min}`,
      )
    if (rule.max !== undefined && x.length > rule.max)
      call.v.fail(
        `${member}.${i + 1}.member`,
        x,
        `Member must have length less than or equal to ${rule.max}`,
      )
  })
  return values
}
