import { test } from 'node:test'
import assert from 'node:assert/strict'
import { issuerWithPort, parseIssuer, servingNames } from '../../../src/oidc/index.js'

test('an issuer with port 0 takes the port the server got; others are unchanged', () => {
  assert.equal(issuerWithPort('https://127.0.0.1:0/id/X', 8443), 'https://127.0.0.1:8443/id/X')
  assert.equal(issuerWithPort('https://127.0.0.1:0', 8443), 'https://127.0.0.1:8443')
  assert.equal(issuerWithPort('https://[::1]:0/x', 9), 'https://[::1]:9/x')
  assert.equal(issuerWithPort('https://h.example:8443/id/0', 1), 'https://h.example:8443/id/0')
  assert.equal(issuerWithPort('https://h.example:80/a:0', 1), 'https://h.example:80/a:0')
  assert.equal(issuerWithPort('https://h.example/', 1), 'https://h.example/')
})

test('a served certificate covers the issuer host and the listen address', () => {
  assert.deepEqual(servingNames(parseIssuer('https://oidc.example.com/id/A'), '127.0.0.1'), {
    dnsNames: ['oidc.example.com'],
    ipAddresses: ['127.0.0.1'],
  })
  assert.deepEqual(servingNames(parseIssuer('https://LocalHost:8443'), '0.0.0.0'), {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
  })
  assert.deepEqual(servingNames(parseIssuer('https://[::1]:8443'), '::'), {
    dnsNames: [],
    ipAddresses: ['::1'],
  })
  assert.deepEqual(servingNames(parseIssuer('https://127.0.0.1:8443'), '127.0.0.1'), {
    dnsNames: [],
    ipAddresses: ['127.0.0.1'],
  })
})
