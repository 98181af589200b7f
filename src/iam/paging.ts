import { awsError, IAM_ERRORS, QueryValidation, struct, type ResultValue } from '../aws/index.js'
import { MARKER, MAX_ITEMS } from './rules.js'

/** `Marker` and `MaxItems` of a list call (IAM's default page is 100 items). */
export interface Paging {
  readonly marker: string | undefined
  readonly maxItems: number
}

/** Reads and model-checks `Marker` and `MaxItems`. */
export function readPaging(v: QueryValidation): Paging {
  const marker = v.string('Marker', MARKER)
  const maxItems = v.int('MaxItems', MAX_ITEMS) ?? 100
  return { marker, maxItems }
}

const PREFIX = 'irsa1.'

/** The index a page starts at: 0, or where the previous page's Marker points. */
export function pageStart(paging: Paging): number {
  const marker = paging.marker
  if (marker === undefined) return 0
  const raw = marker.startsWith(PREFIX)
    ? Buffer.from(marker.slice(PREFIX.length), 'base64url').toString('utf8')
    : ''
  const n = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(n))
    throw awsError(IAM_ERRORS.InvalidInput, { variant: 'marker', reason: 'unreadable Marker' })
  return n
}

/** One page of `items` and the paging members AWS adds (`IsTruncated`, `Marker`). */
function page<T>(
  items: readonly T[],
  paging: Paging,
): { readonly items: readonly T[]; readonly isTruncated: boolean; readonly marker?: string } {
  const start = pageStart(paging)
  const end = start + paging.maxItems
  const slice = items.slice(start, end)
  if (end >= items.length) return { items: slice, isTruncated: false }
  return { items: slice, isTruncated: true, marker: markerAt(end) }
}

/** The Marker of a page that ends before item `end`. */
export function markerAt(end: number): string {
  return PREFIX + Buffer.from(String(end), 'utf8').toString('base64url')
}

/** A list result: `{Name: [...], IsTruncated, Marker?}`. */
export function pagedResult<T>(
  name: string,
  items: readonly T[],
  paging: Paging,
  render: (item: T) => ResultValue,
  extra: Readonly<Record<string, ResultValue>> = {},
): ReturnType<typeof struct> {
  const p = page(items, paging)
  return pageStruct(name, { ...p, items: p.items.map(render) }, extra)
}

/** One page already rendered, as the list result AWS sends. */
export function pageStruct(
  name: string,
  p: {
    readonly items: readonly ResultValue[]
    readonly isTruncated: boolean
    readonly marker?: string
  },
  extra: Readonly<Record<string, ResultValue>> = {},
): ReturnType<typeof struct> {
  return struct({
    ...extra,
    [name]: { kind: 'list', items: p.items, member: 'member' },
    IsTruncated: p.isTruncated,
    Marker: p.marker,
  })
}
