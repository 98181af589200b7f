import { headerValue, queryParam } from './sigv4/authorization.js'
import type { HeaderValues } from './sigv4/canonical.js'
import { isAwsService, SERVICE_PROTOCOLS, type AwsService } from './services.js'

/** How the target service was found, for the request log. */
export type RoutedBy = 'scope' | 'action' | 'path' | 'host' | 'version'

/** A request's service and the rule that chose it. */
interface ServiceRoute {
  readonly service: AwsService
  readonly by: RoutedBy
}

/** STS actions AWS serves unsigned; a request naming one is STS even with no other hint. */
const UNSIGNED_STS_ACTIONS: readonly string[] = ['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']

const SCOPE_SERVICE = /Credential=[^/,\s]*\/[^/,\s]*\/[^/,\s]*\/([^/,\s]*)\//

/** The service named by the SigV4 credential scope (header or presigned), if any. */
function scopeService(headers: HeaderValues, rawQuery: string): string | undefined {
  const auth = headerValue(headers, 'authorization')
  if (auth !== undefined) return SCOPE_SERVICE.exec(auth)?.[1]
  const credential = queryParam(rawQuery, 'X-Amz-Credential')
  return credential?.split('/')[3]
}

/** True for EKS's REST paths (`/clusters`, `/clusters/NAME`, …). */
export function isEksPath(path: string): boolean {
  return path === '/clusters' || path.startsWith('/clusters/')
}

/** The service an AWS hostname names: `iam.amazonaws.com`, `sts.us-west-2.amazonaws.com`… */
function hostService(host: string | undefined): AwsService | undefined {
  if (host === undefined) return undefined
  const name = host.replace(/:\d+$/, '').toLowerCase()
  const first = name.split('.')[0] ?? ''
  return name.includes('.') && isAwsService(first) ? first : undefined
}

/** The inputs of {@link routeService}. */
interface RouteInput {
  readonly path: string
  readonly rawQuery: string
  readonly headers: HeaderValues
  /** The Query `Action`, when the request has one. */
  readonly action?: string | undefined
  readonly version?: string | undefined
  /** The Query services that implement an action (from the registered handlers). */
  readonly servicesFor?: (action: string) => readonly AwsService[]
}

/**
 * Finds the service a request is for, as AWS's own endpoints would have received it:
 *
 * 1. the SigV4 credential scope's service (`…/us-east-1/iam/aws4_request`);
 * 2. the Query `Action`: AssumeRoleWithWebIdentity and AssumeRoleWithSAML (sent unsigned)
 *    are STS, and an action only one registered service implements is that service's;
 * 3. the path: EKS's REST paths start with `/clusters`;
 * 4. the Host: `iam.*`, `sts.*`, `eks.*` (a client aimed at AWS's hostnames);
 * 5. the Query `Version`: `2010-05-08` is IAM, `2011-06-15` STS.
 *
 * Undefined when nothing names a service.
 */
export function routeService(input: RouteInput): ServiceRoute | undefined {
  const scoped = scopeService(input.headers, input.rawQuery)
  if (scoped !== undefined && isAwsService(scoped)) return { service: scoped, by: 'scope' }
  if (input.action !== undefined) {
    if (UNSIGNED_STS_ACTIONS.includes(input.action)) return { service: 'sts', by: 'action' }
    const owners = input.servicesFor?.(input.action) ?? []
    if (owners.length === 1 && owners[0] !== undefined) return { service: owners[0], by: 'action' }
  }
  if (isEksPath(input.path)) return { service: 'eks', by: 'path' }
  const byHost = hostService(headerValue(input.headers, 'host'))
  if (byHost !== undefined) return { service: byHost, by: 'host' }
  if (input.version === SERVICE_PROTOCOLS.iam.version) return { service: 'iam', by: 'version' }
  if (input.version === SERVICE_PROTOCOLS.sts.version) return { service: 'sts', by: 'version' }
  return undefined
}

/** An AWS endpoint hostname's service label: `dynamodb` of `dynamodb.us-east-1.amazonaws.com`. */
const AWS_HOST = /^([a-z0-9-]+)\.(?:[a-z0-9-]+\.)*amazonaws\.com(?:\.cn)?$/

/**
 * The AWS service a request is for when irsa does not serve it: the SigV4 credential
 * scope's service (`…/us-east-1/s3/aws4_request`), else, for an unsigned request, the
 * JSON-protocol target (`X-Amz-Target: DynamoDB_20120810.ListTables` is dynamodb) or an
 * AWS hostname. Undefined when the request is for a served service (the endpoint's own,
 * and `alsoServed`: `s3` when its hook is installed) or names none.
 */
export function unservedService(
  headers: HeaderValues,
  rawQuery: string,
  alsoServed: readonly string[] = [],
): string | undefined {
  const served = (name: string): boolean => isAwsService(name) || alsoServed.includes(name)
  const scoped = scopeService(headers, rawQuery)
  if (scoped !== undefined) return served(scoped) ? undefined : scoped
  const target = headerValue(headers, 'x-amz-target')
  if (target !== undefined) {
    const prefix = (target.split('.')[0] ?? '').replace(/_\d+$/, '').toLowerCase()
    return prefix === '' || served(prefix) ? undefined : prefix
  }
  const host = headerValue(headers, 'host')?.replace(/:\d+$/, '').toLowerCase()
  const label = host === undefined ? undefined : isS3Host(host) ? 's3' : AWS_HOST.exec(host)?.[1]
  return label === undefined || served(label) ? undefined : label
}

/** True when the client speaks an AWS JSON protocol (`application/x-amz-json-1.0/1.1`). */
export function speaksAwsJson(headers: HeaderValues): boolean {
  const type = headerValue(headers, 'content-type')
  return (
    headerValue(headers, 'x-amz-target') !== undefined ||
    (type !== undefined && /application\/x-amz-json-1\.[01]/i.test(type))
  )
}

/** True for a host S3 clients address: a label `s3` or `s3-REGION`, or one of `suffixes`. */
export function isS3Host(host: string | undefined, suffixes: readonly string[] = []): boolean {
  if (host === undefined) return false
  const name = host.replace(/:\d+$/, '').toLowerCase()
  if (suffixes.some((s) => name === s || name.endsWith(`.${s}`))) return true
  const labels = name.split('.')
  return labels.length > 1 && labels.some((l) => l === 's3' || /^s3-[a-z0-9-]+$/.test(l))
}

/** What {@link isS3Request} reads of a request, before its body. */
interface S3Probe {
  readonly method: string
  readonly path: string
  readonly rawQuery: string
  readonly headers: HeaderValues
  /** Host names (and their subdomains) that address S3 besides `s3.*` ones. */
  readonly hostSuffixes?: readonly string[]
}

/**
 * Whether a request is for S3, decided from its head alone (S3 bodies are streamed):
 *
 * 1. signed: the credential scope's service is `s3`;
 * 2. an S3 hostname (`s3.localhost`, `BUCKET.s3.localhost`, `s3.REGION.amazonaws.com`…);
 * 3. unsigned: a REST path naming a bucket (`/bucket`, `/bucket/key`) with no Query
 *    `Action`, no `X-Amz-Target`, no form body, not EKS's `/clusters` paths.
 */
export function isS3Request(p: S3Probe): boolean {
  const scoped = scopeService(p.headers, p.rawQuery)
  if (scoped !== undefined) return scoped === 's3'
  if (isS3Host(headerValue(p.headers, 'host'), p.hostSuffixes)) return true
  if (p.path === '/' || p.path === '' || isEksPath(p.path) || p.path.startsWith('/_irsa/'))
    return false
  if (queryParam(p.rawQuery, 'Action') !== undefined) return false
  if (headerValue(p.headers, 'x-amz-target') !== undefined) return false
  const type = headerValue(p.headers, 'content-type') ?? ''
  return !(p.method === 'POST' && /application\/x-www-form-urlencoded/i.test(type))
}
