import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TLSSocket } from 'node:tls'
import {
  createCertificateAuthority,
  issueServerCertificate,
  systemClock,
  type CertificateAuthority,
  type CertificateKeyPair,
} from '../../../src/core/index.js'
import type { Pod, ServiceAccount } from '../../../src/webhook/index.js'

/** A CA and a server certificate for 127.0.0.1, written to a temporary directory. */
export interface TlsFixture {
  readonly ca: CertificateAuthority
  readonly pair: CertificateKeyPair
  readonly dir: string
  readonly certFile: string
  readonly keyFile: string
  /** A new certificate from the same CA. */
  issue(): CertificateKeyPair
  cleanup(): void
}

export function tlsFixture(): TlsFixture {
  const ca = createCertificateAuthority({ commonName: 'webhook test CA', clock: systemClock })
  const issue = (): CertificateKeyPair =>
    issueServerCertificate(ca, { ipAddresses: ['127.0.0.1'], clock: systemClock })
  const pair = issue()
  const dir = mkdtempSync(join(tmpdir(), 'irsa-webhook-tls-'))
  const certFile = join(dir, 'tls.crt')
  const keyFile = join(dir, 'tls.key')
  writeFileSync(certFile, pair.certPem)
  writeFileSync(keyFile, pair.keyPem)
  return {
    ca,
    pair,
    dir,
    certFile,
    keyFile,
    issue,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string
}

/** One HTTPS request on a fresh connection (no agent), trusting `ca`. */
export function send(
  origin: string,
  o: {
    ca: string
    method?: string
    path?: string
    body?: string | Buffer
    headers?: Record<string, string>
    /** Send the body in chunks without a Content-Length. */
    chunked?: boolean
  },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const url = new URL(o.path ?? '/mutate', origin)
    const headers: Record<string, string> = { ...o.headers }
    if (o.body !== undefined && o.chunked !== true)
      headers['content-length'] = String(Buffer.byteLength(o.body))
    const req = request(
      url,
      { method: o.method ?? 'POST', ca: o.ca, agent: false, headers },
      (res) => {
        const cert =
          res.socket instanceof TLSSocket ? res.socket.getPeerX509Certificate() : undefined
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            fingerprint: cert?.fingerprint256 ?? '',
          })
        })
      },
    )
    req.on('error', reject)
    if (o.body !== undefined && o.chunked === true) {
      const buf = Buffer.from(o.body)
      for (let i = 0; i < buf.length; i += 65536) req.write(buf.subarray(i, i + 65536))
      req.end()
    } else req.end(o.body)
  })
}

export const ROLE_ARN = 'arn:aws:iam::111122223333:role/s3-reader'

export function serviceAccount(
  namespace: string,
  name: string,
  annotations: Record<string, string> = {},
): ServiceAccount {
  return { metadata: { name, namespace, annotations } }
}

export function pod(name = 'balajilovesoreos'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      serviceAccountName: 'default',
      containers: [{ name: 'balajilovesoreos', image: 'amazonlinux' }],
    },
  }
}

/** An AdmissionReview like the reference's `getValidReview`. */
export function review(
  object: unknown,
  o: { apiVersion?: string; uid?: string | null; namespace?: string; operation?: string } = {},
): Record<string, unknown> {
  const request: Record<string, unknown> = {
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: o.namespace ?? 'default',
    operation: o.operation ?? 'CREATE',
    userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object,
  }
  if (o.uid !== null) request['uid'] = o.uid ?? '918ef1dc-928f-4525-99ef-988389f263c3'
  return {
    apiVersion: o.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request,
  }
}

/** A promise and the function that resolves it. */
export function deferred<T>(): {
  promise: Promise<T>
  resolve: (v: T) => void
} {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
