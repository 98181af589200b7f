import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ANNOTATIONS, annotationKey } from '../../../src/webhook/index.js'

test('annotationKey remembers keys per prefix and follows a change of prefix', () => {
  assert.equal(
    annotationKey('eks.amazonaws.com', ANNOTATIONS.roleArn),
    'eks.amazonaws.com/role-arn',
  )
  assert.equal(annotationKey('example.com', ANNOTATIONS.roleArn), 'example.com/role-arn')
  assert.equal(annotationKey('example.com', ANNOTATIONS.audience), 'example.com/audience')
  assert.equal(
    annotationKey('eks.amazonaws.com', ANNOTATIONS.roleArn),
    'eks.amazonaws.com/role-arn',
  )
  // Many distinct names (more than the memo keeps) still give the right keys.
  for (let i = 0; i < 200; i++) assert.equal(annotationKey('p', `n${i}`), `p/n${i}`)
  assert.equal(annotationKey('p', 'n3'), 'p/n3')
})
