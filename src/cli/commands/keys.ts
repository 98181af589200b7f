import { resolve } from 'node:path'
import { InputError } from '../../core/index.js'
import { writeKeyPair, type KeyType } from '../../token/index.js'
import { EXIT, type Command } from '../command.js'

const generate: Command = {
  path: ['keys', 'generate'],
  summary: 'Generate a service-account signing key pair (sa.key and sa.pub)',
  usage: 'irsa keys generate --out DIR [--type rsa|ec] [--force]',
  description:
    'Writes DIR/sa.key (the private key, mode 0600: PKCS#1 for RSA as `openssl genrsa`\n' +
    'writes it, SEC1 for EC) and DIR/sa.pub (the public key, SPKI PEM), and prints the kid\n' +
    "kube-apiserver derives from it. Give sa.key to kube-apiserver's\n" +
    '--service-account-signing-key-file (or irsa create token --signing-key) and sa.pub to\n' +
    '--service-account-key-file and irsa oidc keys. DIR is created (mode 0700) if missing;\n' +
    'existing files are kept unless --force.',
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'directory to write sa.key and sa.pub' },
    type: {
      type: 'string',
      valueName: 'TYPE',
      default: 'rsa',
      description: 'rsa (RSA-2048, signs RS256) or ec (P-256, signs ES256)',
    },
    force: { type: 'boolean', description: 'overwrite existing sa.key and sa.pub' },
  },
  run: (args, io) => {
    const out = args.requireString('out')
    const type = args.string('type') ?? 'rsa'
    if (type !== 'rsa' && type !== 'ec')
      throw new InputError(`--type must be rsa or ec, got '${type}'`)
    const written = writeKeyPair({
      dir: resolve(io.cwd, out),
      type: type satisfies KeyType,
      force: args.boolean('force'),
    })
    const what = type === 'rsa' ? 'RSA-2048' : 'EC P-256'
    io.stdout(
      `wrote ${written.keyFile} (${what} private key, mode 0600)\n` +
        `wrote ${written.pubFile} (public key)\n` +
        `kid ${written.key.kid} (${written.key.alg})\n`,
    )
    return Promise.resolve(EXIT.ok)
  },
}

/** The `irsa keys ...` commands. */
export const keysCommands: readonly Command[] = [generate]
