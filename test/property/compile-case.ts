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

/** The case's policies, compiled once. */
export function compileCase(c: GeneratedCase): PolicySet<CompiledPolicy> {
  return {
    ...(c.identity ? { identity: c.identity.map((p) => compileOne(p, 'identity')) } : {}),
    ...(c.boundary ? { boundary: c.boundary.map((p) => compileOne(p, 'boundary')) } : {}),
    ...(c.session ? { session: c.session.map((p) => compileOne(p, 'session')) } : {}),
    ...(c.resource ? { resource: compileOne(c.resource, resourceKind(c.request.action)) } : {}),
  }
}
