import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { resolve } from 'node:path'
import {
  createLogger,
  ensureServingCertificate,
  InputError,
  readTextFile,
} from '../../core/index.js'
import type { CertificateKeyPair } from '../../core/index.js'
import {
  buildDiscovery,
  buildJwks,
  computeThumbprints,
  createIssuerApp,
  defaultJwksUri,
  discoveryUrl,
  parseIssuer,
  renderJson,
  startIssuerServer,
  writePublishTree,
  DEFAULT_TIMEOUT_MS,
  formatThumbprintReport,
  issuerWithPort,
  servingNames,
  type DiscoveryForm,
} from '../../oidc/index.js'
import { loadPublicKeys, type PublicKeyInfo } from '../../token/index.js'
import { EXIT, type Args, type Command, type Io, type OptionSpec } from '../command.js'
import { optionalPort } from '../flags.js'

/** Every public key in the --key files, in order (private keys give their public half). */
function loadKeys(io: Io, args: Args, required: boolean): PublicKeyInfo[] {
  const files = args.strings('key')
  if (files.length === 0 && required) throw new InputError('--key is required')
  return files.flatMap((f) => loadPublicKeys(readTextFile(f, '--key', io.cwd), `--key ${f}`))
}

const keyOption: OptionSpec = {
  type: 'string',
  multiple: true,
  valueName: 'FILE',
  description:
    'PEM public key, private key or certificate (RSA, EC P-256/384/521); the first key signs',
}
const legacyOption: OptionSpec = {
  type: 'boolean',
  description: 'also publish the signing key with "kid": "" (for tokens from Kubernetes < 1.16)',
}
const issuerOption: OptionSpec = {
  type: 'string',
  valueName: 'URL',
  description: 'issuer URL, exactly as tokens carry it in iss (https, no query or fragment)',
}

const keys: Command = {
  path: ['oidc', 'keys'],
  summary: 'Print the JWKS that publishes the given keys',
  usage: 'irsa oidc keys --key PUB [--key PUB ...] [--legacy-empty-kid]',
  description:
    'Prints {"keys":[...]} with 4-space indentation, as the pod identity webhook\'s\n' +
    'hack/self-hosted tool does: use "sig", kty, kid (SHA-256 of the DER public key,\n' +
    'base64url, as kube-apiserver), alg (RS256, or ES256/384/512 by curve), n/e or crv/x/y.',
  options: { key: keyOption, 'legacy-empty-kid': legacyOption },
  run: (args, io) => {
    const ks = loadKeys(io, args, true)
    io.stdout(renderJson(buildJwks(ks, { legacyEmptyKid: args.boolean('legacy-empty-kid') })))
    return Promise.resolve(EXIT.ok)
  },
}

const discovery: Command = {
  path: ['oidc', 'discovery'],
  summary: 'Print the OpenID discovery document of an issuer',
  usage: 'irsa oidc discovery --issuer URL [--jwks-uri URL] [--self-hosted] [--key PUB ...]',
  description:
    "Without --self-hosted: kube-apiserver's document (jwks_uri <issuer>/openid/v1/jwks).\n" +
    "With --self-hosted: AWS's self-hosted (S3) form, which adds authorization_endpoint and\n" +
    'claims_supported (jwks_uri <issuer>/keys.json). Signing algorithms come from the keys;\n' +
    'RS256 when none is given.',
  options: {
    issuer: issuerOption,
    'jwks-uri': {
      type: 'string',
      valueName: 'URL',
      description: 'where the JWKS is served (https)',
    },
    'self-hosted': { type: 'boolean', description: "AWS's self-hosted (S3) form" },
    key: keyOption,
  },
  run: (args, io) => {
    const issuer = args.requireString('issuer')
    parseIssuer(issuer)
    const jwksUri = args.string('jwks-uri')
    const doc = buildDiscovery({
      issuer,
      form: args.boolean('self-hosted') ? 'self-hosted' : 'kube',
      keys: loadKeys(io, args, false),
      ...(jwksUri !== undefined ? { jwksUri } : {}),
    })
    io.stdout(renderJson(doc))
    return Promise.resolve(EXIT.ok)
  },
}

const publish: Command = {
  path: ['oidc', 'publish'],
  summary: 'Write the discovery document and JWKS as files to host (S3 or any web server)',
  usage: 'irsa oidc publish --issuer URL --key PUB [--key PUB ...] --out DIR [--legacy-empty-kid]',
  description:
    'Writes DIR/.well-known/openid-configuration (self-hosted form, jwks_uri <issuer>/keys.json)\n' +
    'and DIR/keys.json. DIR stands for the issuer URL: copy it as is so that\n' +
    '<issuer>/.well-known/openid-configuration and <issuer>/keys.json serve these files.',
  options: {
    issuer: issuerOption,
    key: keyOption,
    out: { type: 'string', valueName: 'DIR', description: 'directory to write the tree into' },
    'legacy-empty-kid': legacyOption,
  },
  run: (args, io) => {
    const issuer = args.requireString('issuer')
    const out = args.requireString('out')
    parseIssuer(issuer)
    const ks = loadKeys(io, args, true)
    const written = writePublishTree({
      outDir: resolve(io.cwd, out),
      issuer,
      keys: ks,
      legacyEmptyKid: args.boolean('legacy-empty-kid'),
    })
    for (const f of written) io.stdout(`wrote ${f}\n`)
    io.stdout(
      `Host ${out} at ${issuer} so that ${discoveryUrl(issuer)} and ` +
        `${defaultJwksUri(issuer, 'self-hosted')} serve these files (Content-Type application/json).\n`,
    )
    return Promise.resolve(EXIT.ok)
  },
}

/** A certificate chain and its private key, checked to belong together. */
function checkTlsPair(certPem: string, keyPem: string): CertificateKeyPair {
  let cert: X509Certificate
  let key: KeyObject
  try {
    cert = new X509Certificate(certPem)
  } catch {
    throw new InputError('--tls-cert: no PEM certificate found')
  }
  try {
    key = createPrivateKey(keyPem)
  } catch {
    throw new InputError('--tls-key: no PEM private key found')
  }
  if (!cert.checkPrivateKey(key))
    throw new InputError('--tls-key does not match the first certificate of --tls-cert')
  return { certPem, keyPem }
}

const serve: Command = {
  path: ['oidc', 'serve'],
  summary: 'Serve the discovery document and JWKS over HTTPS',
  usage:
    'irsa oidc serve --issuer URL --key PUB [--key PUB ...] [--port P] [--host ADDR] [--tls-cert F --tls-key F]',
  description:
    "Serves <issuer path>/.well-known/openid-configuration and the JWKS at the issuer's path,\n" +
    'with Cache-Control: public, max-age=3600. Without --tls-cert/--tls-key it makes a CA and a\n' +
    'certificate for the issuer host in --tls-dir (ca.pem, tls.crt, tls.key), reused across\n' +
    'restarts while valid; trust ca.pem (curl --cacert). --port 0 picks a free port; an issuer\n' +
    'whose port is 0 (https://127.0.0.1:0/...) takes the port the server gets. Runs until\n' +
    'SIGINT or SIGTERM.',
  options: {
    issuer: issuerOption,
    key: keyOption,
    port: {
      type: 'string',
      valueName: 'P',
      description: "port to listen on (default: the issuer's port, else 443)",
    },
    host: {
      type: 'string',
      valueName: 'ADDR',
      default: '127.0.0.1',
      description: 'address to listen on',
    },
    'tls-cert': {
      type: 'string',
      valueName: 'FILE',
      description: 'server certificate chain (PEM)',
    },
    'tls-key': { type: 'string', valueName: 'FILE', description: 'server private key (PEM)' },
    'tls-dir': {
      type: 'string',
      valueName: 'DIR',
      default: '.irsa/oidc-tls',
      description: 'where a generated CA and certificate are kept',
    },
    'jwks-uri': { type: 'string', valueName: 'URL', description: 'jwks_uri to advertise (https)' },
    'self-hosted': { type: 'boolean', description: "serve AWS's self-hosted form (keys.json)" },
    'legacy-empty-kid': legacyOption,
  },
  run: async (args, io) => {
    const given = args.requireString('issuer')
    const issuerUrl = parseIssuer(given)
    const ks = loadKeys(io, args, true)
    const host = args.string('host') ?? '127.0.0.1'
    const port =
      optionalPort(args, 'port') ?? (issuerUrl.port === '' ? 443 : Number(issuerUrl.port))
    const certFile = args.string('tls-cert')
    const keyFile = args.string('tls-key')
    if ((certFile === undefined) !== (keyFile === undefined))
      throw new InputError('--tls-cert and --tls-key go together')
    let tls: CertificateKeyPair
    let tlsNote: string
    if (certFile !== undefined && keyFile !== undefined) {
      tls = checkTlsPair(
        readTextFile(certFile, '--tls-cert', io.cwd),
        readTextFile(keyFile, '--tls-key', io.cwd),
      )
      tlsNote = `certificate ${certFile}`
    } else {
      const dir = resolve(io.cwd, args.string('tls-dir') ?? '.irsa/oidc-tls')
      const names = servingNames(issuerUrl, host)
      const s = ensureServingCertificate({ dir, ...names, clock: io.clock })
      tls = s
      tlsNote =
        `${s.reused ? 'reused' : 'generated'} CA ${s.files.ca}, certificate ${s.files.cert}, ` +
        `key ${s.files.key}\n  trust it with: curl --cacert ${s.files.ca} URL`
    }
    const logger = createLogger({
      level: io.env['IRSA_LOG_LEVEL'] ?? 'warn',
      destination: {
        write: (line: string) => {
          io.stderr(line)
        },
      },
    })
    const app = createIssuerApp({ logger })
    const server = await startIssuerServer({ app, tls, host, port, logger })
    const issuer = issuerWithPort(given, server.port)
    const form: DiscoveryForm = args.boolean('self-hosted') ? 'self-hosted' : 'kube'
    const jwksUri = args.string('jwks-uri') ?? defaultJwksUri(issuer, form)
    try {
      app.setIssuer({
        issuer,
        keys: ks,
        form,
        jwksUri,
        legacyEmptyKid: args.boolean('legacy-empty-kid'),
      })
    } catch (e) {
      await server.close()
      throw e
    }
    io.stdout(
      `serving issuer ${issuer}\n` +
        `  discovery  ${discoveryUrl(issuer)}\n` +
        `  jwks       ${jwksUri}\n` +
        `  listening  ${server.origin} (port ${server.port})\n` +
        `  tls        ${tlsNote}\n` +
        'Stop with Ctrl-C.\n',
    )
    const signal = await io.untilSignal()
    await server.close()
    io.stdout(`stopped (${signal})\n`)
    return EXIT.ok
  },
}

const thumbprint: Command = {
  path: ['oidc', 'thumbprint'],
  summary: "Print an issuer's certificate thumbprints for an IAM OIDC provider",
  usage: 'irsa oidc thumbprint URL [--ca FILE] [--output json|text|thumbprint] [--timeout SECONDS]',
  description:
    'SHA-1 (lower-case hex) of the last certificate a host sends in its TLS chain, for the\n' +
    "issuer host (eksctl's rule) and for the host of the jwks_uri that discovery names (AWS's\n" +
    'rule), flagging when they differ. `--output thumbprint` prints only the one to give IAM\n' +
    "(the JWKS host's), for a shell variable. Exits 1 when the JWKS host could not be measured.",
  positionals: { min: 1, max: 1 },
  options: {
    ca: {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: 'extra trusted CA certificates (PEM), on top of the system CAs',
    },
    output: {
      type: 'string',
      valueName: 'FORMAT',
      default: 'text',
      description: 'json, text, or thumbprint (only the thumbprint to register)',
    },
    timeout: {
      type: 'string',
      valueName: 'SECONDS',
      default: String(DEFAULT_TIMEOUT_MS / 1000),
      description: 'limit for each connection and request',
    },
  },
  run: async (args, io) => {
    const url = args.requirePositional(0, 'URL')
    const output = args.string('output') ?? 'text'
    if (output !== 'json' && output !== 'text' && output !== 'thumbprint')
      throw new InputError(`--output must be json or text, or thumbprint, got '${output}'`)
    const timeoutText = args.string('timeout') ?? '5'
    const seconds = Number(timeoutText)
    if (!(seconds > 0) || !Number.isFinite(seconds))
      throw new InputError(`--timeout must be a positive number of seconds, got '${timeoutText}'`)
    const ca = args.strings('ca').map((f) => {
      const pem = readTextFile(f, '--ca', io.cwd)
      if (!pem.includes('-----BEGIN CERTIFICATE-----'))
        throw new InputError(`--ca ${f}: no PEM certificate found`)
      return pem
    })
    const report = await computeThumbprints(url, { ca, timeoutMs: Math.round(seconds * 1000) })
    if (output === 'thumbprint') {
      if (report.jwksHost !== undefined) io.stdout(`${report.jwksHost.thumbprint}\n`)
      else
        io.stderr(`irsa: the JWKS host could not be measured: ${report.jwksError ?? 'unknown'}\n`)
    } else
      io.stdout(
        output === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatThumbprintReport(report),
      )
    return report.jwksHost !== undefined ? EXIT.ok : EXIT.negative
  },
}

/** The `irsa oidc ...` commands. */
export const oidcCommands: readonly Command[] = [keys, discovery, publish, serve, thumbprint]
