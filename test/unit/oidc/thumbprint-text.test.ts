import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatThumbprintReport, type HostThumbprint } from '../../../src/oidc/index.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const host = (h: string, thumbprint: string, trusted = true): HostThumbprint => ({
  host: h,
  thumbprint,
  chain: [],
  trusted,
  ...(trusted ? {} : { trustError: 'SELF_SIGNED_CERT_IN_CHAIN' }),
})

test('different rules name the thumbprint IAM needs and the one eksctl would use', () => {
  const text = formatThumbprintReport({
    issuer: 'https://oidc.example.com/id/X',
    issuerHost: host('oidc.example.com:443', A),
    jwksUri: 'https://keys.example.net/keys.json',
    jwksHost: host('keys.example.net:443', B, false),
    discoveryTrustedBy: 'ca',
    differ: true,
  })
  assert.equal(
    text,
    [
      'issuer      https://oidc.example.com/id/X',
      `issuer host oidc.example.com:443  ${A}  (eksctl's rule: last certificate the issuer host sends)`,
      'jwks_uri    https://keys.example.net/keys.json',
      `jwks host   keys.example.net:443  ${B}  (AWS's rule: last certificate the JWKS host sends)`,
      '            not trusted by the system CAs or --ca: SELF_SIGNED_CERT_IN_CHAIN',
      `the rules differ: give IAM ${B} (the JWKS host); eksctl would register ${A}`,
      '',
    ].join('\n'),
  )
})

test('an unmeasured JWKS host says why', () => {
  const text = formatThumbprintReport({
    issuer: 'https://oidc.example.com',
    issuerHost: host('oidc.example.com:443', A),
    jwksError: 'discovery: HTTP 404',
    differ: false,
  })
  assert.match(text, /^jwks host {3}unknown: discovery: HTTP 404\n$/m)
  assert.doesNotMatch(text, /both rules|differ/)
})
