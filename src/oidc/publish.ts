import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { buildDiscovery } from './discovery.js'
import { SELF_HOSTED_JWKS_PATH, defaultJwksUri } from './issuer-url.js'
import { buildJwks, type KeySource } from './jwks.js'

/** One file of the publish tree: its path below the issuer URL, and its content. */
interface PublishedFile {
  readonly path: string
  readonly content: string
  readonly contentType: 'application/json'
}

/** Renders JSON the way the reference tool prints it: 4-space indent, a final newline. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 4) + '\n'
}

/**
 * The files to host for a self-hosted issuer (AWS's S3 setup): the self-hosted
 * discovery document at `.well-known/openid-configuration`, whose jwks_uri is
 * `<issuer>/keys.json`, and the JWKS at `keys.json`. Paths are relative to the issuer
 * URL: copy the tree to whatever serves that URL, as is.
 */
export function publishTree(o: {
  readonly issuer: string
  readonly keys: KeySource
  readonly legacyEmptyKid?: boolean
}): PublishedFile[] {
  const discovery = buildDiscovery({
    issuer: o.issuer,
    keys: o.keys,
    form: 'self-hosted',
    jwksUri: defaultJwksUri(o.issuer, 'self-hosted'),
  })
  const jwks = buildJwks(o.keys, { legacyEmptyKid: o.legacyEmptyKid === true })
  return [
    {
      path: '.well-known/openid-configuration',
      content: renderJson(discovery),
      contentType: 'application/json',
    },
    {
      path: SELF_HOSTED_JWKS_PATH.slice(1),
      content: renderJson(jwks),
      contentType: 'application/json',
    },
  ]
}

/** Writes {@link publishTree} under `outDir`; returns the absolute paths written. */
export function writePublishTree(o: {
  readonly outDir: string
  readonly issuer: string
  readonly keys: KeySource
  readonly legacyEmptyKid?: boolean
}): string[] {
  const files = publishTree(o)
  return files.map((f) => {
    const path = join(o.outDir, f.path)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, f.content)
    return path
  })
}
