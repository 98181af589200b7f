export { IssuerFetchError, KeyRotationError, IssuerConflictError } from './errors.js'
export type { IssuerFetchFailure } from './errors.js'
export {
  parseIssuer,
  parseJwksUri,
  issuerBase,
  discoveryUrl,
  defaultJwksUri,
  DISCOVERY_PATH,
  KUBE_JWKS_PATH,
  SELF_HOSTED_JWKS_PATH,
  issuerWithPort,
  servingNames,
} from './issuer-url.js'
export type { DiscoveryForm } from './issuer-url.js'
export { toPublicJwk } from './jwk.js'
export type { PublicJwk, RsaPublicJwk, EcPublicJwk, Jwks } from './jwk.js'
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
export type { IssuerKeySet, PublishedKey } from './key-set.js'
export { buildJwks, signingAlgorithms, resolveKeys } from './jwks.js'
export type { KeySource, JwksOptions } from './jwks.js'
export { buildDiscovery } from './discovery.js'
export type {
  DiscoveryDocument,
  KubeDiscoveryDocument,
  SelfHostedDiscoveryDocument,
  DiscoveryOptions,
} from './discovery.js'
export { createIssuerApp, CONTENT_TYPE } from './app.js'
export type { IssuerApp, IssuerConfig } from './app.js'
export { startIssuerServer } from './server.js'
export type { IssuerServer } from './server.js'
export { publishTree, writePublishTree, renderJson } from './publish.js'
export type { PublishedFile } from './publish.js'
export { computeThumbprints, measureHost, DEFAULT_TIMEOUT_MS } from './thumbprint.js'
export type {
  ThumbprintReport,
  HostThumbprint,
  CertificateSummary,
  ThumbprintOptions,
} from './thumbprint.js'
export { formatThumbprintReport } from './thumbprint-text.js'
export { fetchIssuerDocument, fetchJson, maxAgeOf } from './fetch-json.js'
export type { FetchTrust, FetchedJson } from './fetch-json.js'
export { endpointOf, readSentChain, checkTrust, sha1Thumbprint } from './tls-probe.js'
export type { TlsEndpoint, TrustResult } from './tls-probe.js'
