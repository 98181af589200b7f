import { hash } from 'node:crypto'
import { escapeXml, type AwsError } from '../../aws/index.js'
import { S3ErrorWithElements } from '../error-elements.js'
import type { S3Target } from '../types.js'

/** S3's request id header, on every response. */
export const REQUEST_ID_HEADER = 'x-amz-request-id'
/** S3's extended request id (host id) header, on every response. */
export const HOST_ID_HEADER = 'x-amz-id-2'

/** A stable host id for a request id (S3's `x-amz-id-2` / `<HostId>`), base64. */
export function hostId(requestId: string): string {
  return hash('sha256', `irsa-s3:${requestId}`, 'base64')
}

const element = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`

/** The elements an error names besides Code and Message, as S3 adds them. */
function extraElements(
  error: AwsError,
  target: S3Target | undefined,
  query: ReadonlyMap<string, string>,
): string {
  if (error instanceof S3ErrorWithElements)
    return error.elements.map(([name, value]) => element(name, value)).join('')
  switch (error.code) {
    case 'NoSuchBucket':
    case 'BucketAlreadyExists':
    case 'BucketAlreadyOwnedByYou':
    case 'BucketNotEmpty':
    case 'NoSuchBucketPolicy':
      return element('BucketName', target?.bucket)
    case 'NoSuchKey':
      return element('Key', target?.key)
    case 'NoSuchUpload':
      return element('UploadId', query.get('uploadId'))
    default:
      return ''
  }
}

/**
 * S3's XML error document: `<Error>` with `Code`, `Message`, the element the code names
 * (`BucketName`, `Key`, `UploadId`, or an {@link S3ErrorWithElements}'s), `RequestId` and
 * `HostId`.
 */
export function renderS3ErrorXml(o: {
  readonly error: AwsError
  readonly requestId: string
  readonly target: S3Target | undefined
  readonly query: ReadonlyMap<string, string>
}): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Error>' +
    `<Code>${escapeXml(o.error.code)}</Code>` +
    `<Message>${escapeXml(o.error.message)}</Message>` +
    extraElements(o.error, o.target, o.query) +
    `<RequestId>${escapeXml(o.requestId)}</RequestId>` +
    `<HostId>${escapeXml(hostId(o.requestId))}</HostId>` +
    '</Error>'
  )
}

/** The query string's parameters, each name and value percent-decoded once (`+` stays `+`). */
export function parseS3Query(raw: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const piece of raw.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const name = safeDecode(eq === -1 ? piece : piece.slice(0, eq))
    if (!out.has(name)) out.set(name, eq === -1 ? '' : safeDecode(piece.slice(eq + 1)))
  }
  return out
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
