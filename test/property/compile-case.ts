/**
 * Compiles a generated (or hand-written) case's policies with the engine, each with the kind
 * its layer demands: identity, boundary, session, and for the resource policy `trust` on the
 * assume-role calls, else `resource`.
 */
import { compilePolicy } from '../../src/policy/index.js'
import type { CompiledPolicy, PolicyKind, PolicySet } from '../../src/policy/index.js'
import type { GeneratedCase } from './arbitraries.js'
import type { NaivePolicy } from './naive-evaluator.js'
import { resourceKind } from './policy-cases.js'

function compileOne(p: NaivePolicy, kind: PolicyKind): CompiledPolicy {
  const text = typeof p.document === 'string' ? p.document : JSON.stringify(p.document)
  return compilePolicy(text, kind, { id: p.id, type: p.type ?? 'none' })
}

/**
 * The case's policies, compiled once. The set is filled in a fixed order, as src/iam's
 * authorizer and src/sts build theirs, so that sets share a few object shapes: a literal
 * that starts with spreads gets a V8 map of its own per object, which no real caller makes.
 */
export function compileCase(c: GeneratedCase): PolicySet<CompiledPolicy> {
  const set: {
    identity?: readonly CompiledPolicy[]
    boundary?: readonly CompiledPolicy[]
    session?: readonly CompiledPolicy[]
    resource?: CompiledPolicy
  } = {}
  if (c.identity) set.identity = c.identity.map((p) => compileOne(p, 'identity'))
  if (c.boundary) set.boundary = c.boundary.map((p) => compileOne(p, 'boundary'))
  if (c.session) set.session = c.session.map((p) => compileOne(p, 'session'))
  if (c.resource) set.resource = compileOne(c.resource, resourceKind(c.request.action))
  return set
}
