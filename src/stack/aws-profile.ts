import type { StackCredentials } from './env-file.js'

/** One INI section header: `[default]` in credentials, `[profile NAME]` in config. */
function section(file: 'config' | 'credentials', profile: string): string {
  return file === 'config' && profile !== 'default' ? `[profile ${profile}]` : `[${profile}]`
}

/**
 * The `config` file section of the profile: region, output and the endpoint, and SigV4
 * for S3's presigned URLs (AWS CLI v1's `aws s3 presign` makes Signature Version 2 URLs
 * otherwise, which S3 refuses for buckets made since 2020, and so does irsa).
 */
export function awsConfigText(profile: string, c: StackCredentials): string {
  return (
    `${section('config', profile)}\n` +
    `region = ${c.region}\n` +
    'output = json\n' +
    `endpoint_url = ${c.endpoint}\n` +
    's3 =\n' +
    '    signature_version = s3v4\n'
  )
}

/** The `credentials` file section of the profile: the admin access key. */
export function awsCredentialsText(profile: string, c: StackCredentials): string {
  return (
    `${section('credentials', profile)}\n` +
    `aws_access_key_id = ${c.accessKeyId}\n` +
    `aws_secret_access_key = ${c.secretAccessKey}\n`
  )
}

/**
 * `text` with the INI section `header` replaced by `body` (or appended when absent):
 * how the profile is merged into a file that holds other profiles.
 */
export function upsertIniSection(text: string, header: string, body: string): string {
  const lines = text === '' ? [] : text.replace(/\n*$/, '').split('\n')
  const start = lines.findIndex((l) => l.trim() === header)
  const block = body.replace(/\n*$/, '').split('\n')
  if (start === -1) return [...lines, ...(lines.length > 0 ? [''] : []), ...block].join('\n') + '\n'
  let end = start + 1
  while (end < lines.length && !/^\s*\[/.test(lines[end] ?? '')) end++
  const after = lines.slice(end)
  return (
    [...lines.slice(0, start), ...block, ...(after.length > 0 ? ['', ...after] : [])].join('\n') +
    '\n'
  )
}

/** The header of a profile's section in `file`. */
export function profileHeader(file: 'config' | 'credentials', profile: string): string {
  return section(file, profile)
}
