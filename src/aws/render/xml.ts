import type { AwsError } from '../errors/aws-error.js'
import { iso8601Seconds, type ResultStruct, type ResultValue } from './result.js'

const XML_SPECIAL = /[&<>"'\r]|[^\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
/** Printable ASCII without `& < > " '`, tab and newline: nothing to escape (most values). */
const XML_PLAIN = /^[\t\n\x20\x21\x23-\x25\x28-\x3B\x3D\x3F-\x7E]*$/

/**
 * The one XML escape: `& < > " '` as entities, `\r` as `&#13;` (so parsers keep it), and
 * characters XML 1.0 cannot carry at all (controls, lone surrogates) as U+FFFD, so a
 * client's parser never chokes on an echoed value.
 */
export function escapeXml(s: string): string {
  if (XML_PLAIN.test(s)) return s
  return s.replace(XML_SPECIAL, (c) => {
    switch (c) {
      case '&':
        return '&amp;'
      case '<':
        return '&lt;'
      case '>':
        return '&gt;'
      case '"':
        return '&quot;'
      case "'":
        return '&apos;'
      case '\r':
        return '&#13;'
      default:
        return '\uFFFD'
    }
  })
}

function scalar(v: string | number | boolean): string {
  if (typeof v === 'string') return escapeXml(v)
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('a result number must be finite')
    return String(v)
  }
  return v ? 'true' : 'false'
}

/** Appends `<name>…</name>` for one value at `depth`, or nothing when it is absent. */
function element(out: string[], name: string, v: ResultValue, depth: number): void {
  if (v === undefined || v === null) return
  const pad = '  '.repeat(depth)
  if (typeof v !== 'object') {
    out.push(`${pad}<${name}>${scalar(v)}</${name}>`)
    return
  }
  switch (v.kind) {
    case 'timestamp':
      out.push(`${pad}<${name}>${iso8601Seconds(v.ms)}</${name}>`)
      return
    case 'struct':
      if (v.fields.every(([, f]) => f === undefined || f === null)) {
        out.push(`${pad}<${name}/>`)
        return
      }
      out.push(`${pad}<${name}>`)
      for (const [k, f] of v.fields) element(out, k, f, depth + 1)
      out.push(`${pad}</${name}>`)
      return
    case 'list':
      if (v.items.length === 0) {
        out.push(`${pad}<${name}/>`)
        return
      }
      out.push(`${pad}<${name}>`)
      for (const item of v.items) element(out, v.member, item, depth + 1)
      out.push(`${pad}</${name}>`)
      return
    case 'map': {
      if (v.entries.length === 0) {
        out.push(`${pad}<${name}/>`)
        return
      }
      out.push(`${pad}<${name}>`)
      const inner = '  '.repeat(depth + 1)
      for (const [key, value] of v.entries) {
        out.push(`${inner}<${v.entry}>`)
        element(out, v.key, key, depth + 2)
        element(out, v.value, value, depth + 2)
        out.push(`${inner}</${v.entry}>`)
      }
      out.push(`${pad}</${name}>`)
      return
    }
  }
}

/** Renders one value as an XML fragment (for tests and for documents nested in results). */
export function renderXmlElement(name: string, v: ResultValue): string {
  const out: string[] = []
  element(out, name, v, 0)
  return out.join('\n')
}

/**
 * An AWS Query success body:
 *
 * ```xml
 * <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
 *   <GetCallerIdentityResult>…</GetCallerIdentityResult>
 *   <ResponseMetadata>
 *     <RequestId>…</RequestId>
 *   </ResponseMetadata>
 * </GetCallerIdentityResponse>
 * ```
 *
 * An action without output members (`DeleteRole`) has no Result element.
 */
export function renderQueryXml(o: {
  readonly action: string
  readonly namespace: string
  readonly result: ResultStruct | undefined
  readonly requestId: string
}): string {
  const out: string[] = [`<${o.action}Response xmlns="${escapeXml(o.namespace)}">`]
  if (o.result !== undefined) element(out, `${o.action}Result`, o.result, 1)
  out.push('  <ResponseMetadata>')
  out.push(`    <RequestId>${escapeXml(o.requestId)}</RequestId>`)
  out.push('  </ResponseMetadata>')
  out.push(`</${o.action}Response>`)
  return `${out.join('\n')}\n`
}

/**
 * An AWS Query error body, the form both SDKs parse:
 *
 * ```xml
 * <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
 *   <Error>
 *     <Type>Sender</Type>
 *     <Code>InvalidIdentityToken</Code>
 *     <Message>…</Message>
 *   </Error>
 *   <RequestId>…</RequestId>
 * </ErrorResponse>
 * ```
 */
export function renderErrorXml(o: {
  readonly error: AwsError
  readonly namespace: string
  readonly requestId: string
}): string {
  return (
    [
      `<ErrorResponse xmlns="${escapeXml(o.namespace)}">`,
      '  <Error>',
      `    <Type>${o.error.type}</Type>`,
      `    <Code>${escapeXml(o.error.code)}</Code>`,
      `    <Message>${escapeXml(o.error.message)}</Message>`,
      '  </Error>',
      `  <RequestId>${escapeXml(o.requestId)}</RequestId>`,
      '</ErrorResponse>',
    ].join('\n') + '\n'
  )
}
