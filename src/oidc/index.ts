export { IssuerFetchError, KeyRotationError, IssuerConflictError } from './errors.js'
export type { IssuerFetchFailure } from './errors.js'
export {
  parseIssuer,
  parseJwksUri,
  discoveryUrl,
  defaultJwksUri,
  issuerWithPort,
  servingNames,
} from './issuer-url.js'
export type { DiscoveryForm } from './issuer-url.js'
export { toPublicJwk } from './jwk.js'
export {
  createKeySet,
  publishedKeys,
  signingKeyOf,
  publishKey,
  startSigningWith,
  retireKey,
  JWKS_CACHE_SECONDS,
  DEFAULT_KEEP_SECONDS,
} from './key-set.js'
export type { IssuerKeySet } from './key-set.js'
export { buildJwks } from './jwks.js'
export { buildDiscovery } from './discovery.js'
export { createIssuerApp } from './app.js'
export type { IssuerApp } from './app.js'
export { startIssuerServer } from './server.js'
export type { IssuerServer } from './server.js'
export { publishTree, writePublishTree, renderJson } from './publish.js'
export { computeThumbprints, DEFAULT_TIMEOUT_MS } from './thumbprint.js'
export type { HostThumbprint } from './thumbprint.js'
export { formatThumbprintReport } from './thumbprint-text.js'
export { fetchIssuerDocument, fetchJson, maxAgeOf } from './fetch-json.js'
export type { FetchedJson } from './fetch-json.js'
export { endpointOf, readSentChain, sha1Thumbprint } from './tls-probe.js'
