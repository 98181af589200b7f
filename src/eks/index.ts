export { createEksRoutes } from './routes.js'
export type { EksDeps } from './routes.js'
export {
  clusterResult,
  LOCAL_KUBERNETES_VERSION,
  LOCAL_PLATFORM_VERSION,
} from './cluster-result.js'
export type { ClusterView } from './cluster-result.js'
export { pageSize, pageOf, encodeNextToken, decodeNextToken, MAX_LIST_RESULTS } from './paging.js'
