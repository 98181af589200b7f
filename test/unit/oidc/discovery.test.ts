import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InputError } from '../../../src/core/index.js'
import {
  buildDiscovery,
  defaultJwksUri,
  discoveryUrl,
  parseIssuer,
  parseJwksUri,
} from '../../../src/oidc/index.js'
import { describePublicKey } from '../../../src/token/index.js'
import { generateKeyPairSync } from 'node:crypto'

const rsa = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
const ec256 = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)
const ec384 = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)

test("kube-apiserver's form has exactly its five fields, in its order", () => {
  const doc = buildDiscovery({ issuer: 'https://oidc.example/id/ABC', keys: [rsa] })
  assert.deepEqual(Object.keys(doc), [
    'issuer',
    'jwks_uri',
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
  ])
  assert.deepEqual(doc, {
    issuer: 'https://oidc.example/id/ABC',
    jwks_uri: 'https://oidc.example/id/ABC/openid/v1/jwks',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  })
})

test("the self-hosted form is AWS's SELF_HOSTED_SETUP.md document", () => {
  const doc = buildDiscovery({
    issuer: 'https://s3-us-west-2.amazonaws.com/my-bucket',
    form: 'self-hosted',
    keys: [rsa],
  })
  assert.deepEqual(Object.keys(doc), [
    'issuer',
    'jwks_uri',
    'authorization_endpoint',
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
    'claims_supported',
  ])
  assert.deepEqual(doc, {
    issuer: 'https://s3-us-west-2.amazonaws.com/my-bucket',
    jwks_uri: 'https://s3-us-west-2.amazonaws.com/my-bucket/keys.json',
    authorization_endpoint: 'urn:kubernetes:programmatic_authorization',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'iss'],
  })
})

test('algorithms are the sorted, de-duplicated algs of the keys; RS256 when none', () => {
  const rsa2 = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
  const doc = buildDiscovery({ issuer: 'https://i.example', keys: [ec384, rsa, ec256, rsa2] })
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['ES256', 'ES384', 'RS256'])
  assert.deepEqual(
    buildDiscovery({ issuer: 'https://i.example' }).id_token_signing_alg_values_supported,
    ['RS256'],
  )
  assert.deepEqual(
    buildDiscovery({ issuer: 'https://i.example', keys: [] }).id_token_signing_alg_values_supported,
    ['RS256'],
  )
})

test('the issuer string is kept as given; well-known paths drop a trailing slash', () => {
  const doc = buildDiscovery({ issuer: 'https://i.example/x/' })
  assert.equal(doc.issuer, 'https://i.example/x/')
  assert.equal(doc.jwks_uri, 'https://i.example/x/openid/v1/jwks')
  assert.equal(
    discoveryUrl('https://i.example/x/'),
    'https://i.example/x/.well-known/openid-configuration',
  )
  assert.equal(
    discoveryUrl('https://i.example'),
    'https://i.example/.well-known/openid-configuration',
  )
  assert.equal(
    defaultJwksUri('https://i.example:8443', 'self-hosted'),
    'https://i.example:8443/keys.json',
  )
})

test('an explicit jwks_uri is used as given', () => {
  const doc = buildDiscovery({
    issuer: 'https://i.example',
    jwksUri: 'https://keys.example/jwks.json',
  })
  assert.equal(doc.jwks_uri, 'https://keys.example/jwks.json')
})

test('issuers must be https without query or fragment; jwks_uri must be https', () => {
  const bad: [string, RegExp][] = [
    ['http://i.example', /must be an https URL/],
    ['i.example', /is not a URL/],
    ['https://i.example/?a=b', /must not have a query/],
    ['https://i.example/?', /must not have a query/],
    ['https://i.example/#x', /must not have a fragment/],
    ['https://user:pw@i.example/', /user name or password/],
  ]
  for (const [issuer, msg] of bad) {
    assert.throws(() => parseIssuer(issuer), msg, issuer)
    assert.throws(() => buildDiscovery({ issuer }), InputError, issuer)
  }
  assert.throws(() => parseJwksUri('http://i.example/keys'), /jwks_uri must be an https URL/)
  assert.throws(
    () => buildDiscovery({ issuer: 'https://i.example', jwksUri: 'http://i.example/keys' }),
    InputError,
  )
  assert.equal(parseIssuer('https://[::1]:8443/id/x').hostname, '[::1]')
})
