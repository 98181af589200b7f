import {
  awsError,
  EKS_ERRORS,
  list,
  struct,
  type Caller,
  type RestContext,
  type RestRoute,
} from '../aws/index.js'
import type { Authorizer, Principal } from '../iam/index.js'
import type { Cluster, Store } from '../store/index.js'
import { clusterResult, type ClusterView } from './cluster-result.js'
import { decodeNextToken, pageOf, pageSize } from './paging.js'

/** What {@link createEksRoutes} needs. */
interface EksDeps {
  readonly store: Store
  readonly authorizer: Authorizer
  /**
   * How a cluster is seen from outside: its issuer URL (with the stack's current host and
   * port), endpoint and CA. Default: the issuer URL stored with the cluster, nothing else.
   */
  readonly viewOf?: (cluster: Cluster) => ClusterView
}

function callerOf(ctx: RestContext<Principal>): Caller<Principal> {
  // Both routes are signed: the app authenticates before calling the handler.
  if (ctx.caller === undefined)
    throw awsError(EKS_ERRORS.MissingAuthenticationTokenException, {
      reason: 'an EKS call arrived unsigned',
    })
  return ctx.caller
}

function accountOf(p: Principal): string {
  return p.accountId
}

/**
 * EKS's `DescribeCluster` (`GET /clusters/{name}`) and `ListClusters` (`GET /clusters`,
 * `maxResults`/`nextToken`) over the store's local clusters, in the caller's account and
 * the region of its credential scope. Each call is authorised first: `eks:DescribeCluster`
 * on the cluster's ARN, `eks:ListClusters` on `*` (EKS's authorisation reference).
 */
export function createEksRoutes(deps: EksDeps): readonly RestRoute<Principal>[] {
  const { store, authorizer } = deps
  const viewOf = deps.viewOf ?? ((c: Cluster): ClusterView => ({ issuerUrl: c.issuerUrl }))
  return [
    {
      service: 'eks',
      operation: 'DescribeCluster',
      method: 'GET',
      path: '/clusters/{name}',
      auth: 'sigv4',
      handle: (ctx) => {
        const caller = callerOf(ctx)
        const name = ctx.pathParams['name'] ?? ''
        const account = accountOf(caller.principal)
        const arn = `arn:aws:eks:${caller.region}:${account}:cluster/${name}`
        authorizer.authorize({
          requestId: ctx.requestId,
          principal: caller.principal,
          action: 'eks:DescribeCluster',
          resource: arn,
          region: caller.region,
          ...(ctx.sourceIp !== undefined ? { sourceIp: ctx.sourceIp } : {}),
        })
        const cluster = store.clusters.get(account, caller.region, name)
        if (cluster === undefined)
          throw awsError(EKS_ERRORS.ResourceNotFoundException, {
            params: { name },
            reason: `no cluster ${name} in account ${account}, region ${caller.region}`,
          })
        ctx.annotate({ cluster: cluster.name })
        return { body: struct({ cluster: clusterResult(cluster, viewOf(cluster)) }) }
      },
    },
    {
      service: 'eks',
      operation: 'ListClusters',
      method: 'GET',
      path: '/clusters',
      auth: 'sigv4',
      handle: (ctx) => {
        const caller = callerOf(ctx)
        const size = pageSize(ctx.query.string('maxResults'))
        const after = decodeNextToken(ctx.query.string('nextToken'))
        authorizer.authorize({
          requestId: ctx.requestId,
          principal: caller.principal,
          action: 'eks:ListClusters',
          resource: '*',
          region: caller.region,
          ...(ctx.sourceIp !== undefined ? { sourceIp: ctx.sourceIp } : {}),
        })
        const names = store.clusters
          .list({ accountId: accountOf(caller.principal), region: caller.region })
          .map((c) => c.name)
          .sort()
        const page = pageOf(names, after, size)
        return { body: struct({ clusters: list(page.names), nextToken: page.nextToken }) }
      },
    },
  ]
}
