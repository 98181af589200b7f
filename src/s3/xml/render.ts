import { escapeXml } from '../../aws/index.js'

/** S3's XML namespace, on the root of every response document. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/'

/**
 * One element of an S3 response: a name, its content (text, or child elements, where an
 * undefined child is left out) and optional raw attributes. S3's lists are flattened
 * (`<Contents>` repeated in `<ListBucketResult>`), so a list is just repeated children;
 * AWS's result tree in `aws/render` wraps lists, which S3 does not.
 */
export type XmlNode = readonly [name: string, content: XmlContent, attributes?: string]

/** Element content: text (escaped), a number or boolean, or children. */
export type XmlContent = string | number | boolean | readonly (XmlNode | undefined)[]

function render(out: string[], node: XmlNode): void {
  const [name, content, attrs] = node
  const open = attrs === undefined ? name : `${name} ${attrs}`
  if (Array.isArray(content)) {
    const kids = (content as readonly (XmlNode | undefined)[]).filter(
      (c): c is XmlNode => c !== undefined,
    )
    if (kids.length === 0) {
      out.push(`<${open}/>`)
      return
    }
    out.push(`<${open}>`)
    for (const k of kids) render(out, k)
    out.push(`</${name}>`)
    return
  }
  const text = typeof content === 'string' ? escapeXml(content) : String(content)
  out.push(text === '' ? `<${open}/>` : `<${open}>${text}</${name}>`)
}

/** A response document: the XML declaration and `root` in S3's namespace. */
export function renderS3Xml(root: string, content: XmlContent, attributes?: string): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
  const ns = `xmlns="${S3_XMLNS}"`
  render(out, [root, content, attributes === undefined ? ns : `${ns} ${attributes}`])
  return out.join('')
}

/** An optional element: undefined (left out) when `value` is. */
export function opt(
  name: string,
  value: string | number | boolean | undefined,
): XmlNode | undefined {
  return value === undefined ? undefined : [name, value]
}

/** S3's timestamp in XML: ISO 8601 with milliseconds (`2026-01-01T00:00:00.000Z`). */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString()
}
