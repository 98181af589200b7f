import { createTokenKeySet, isTokenError, verifyToken } from '../token/index.js'
import {
  annotation,
  AUDIENCE_ANNOTATION,
  DEFAULT_AUDIENCE,
  result,
  shellQuote,
  stringAt,
  type Derived,
} from './derive.js'
import { restartCommand } from './checks-kube.js'
import type { CheckResult, DoctorFacts } from './facts.js'

const noToken = (name: string, facts: DoctorFacts, d: Derived): CheckResult | undefined => {
  const t = facts.token
  if (t === undefined) return result(name, 'skipped', 'no token at this starting point')
  if (t.state !== 'found')
    return result(
      name,
      'cannot-tell',
      `no token: ${t.state === 'unknown' ? t.why : (t.why ?? 'none')}`,
    )
  if (d.decoded === undefined) return result(name, 'cannot-tell', 'the token does not decode')
  return undefined
}

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/

/**
 * For a token file: `kubectl create token` of the ServiceAccount its `sub` names, with its
 * audience, written over the file (a token the cluster signs now, with its published key).
 */
function newTokenFix(facts: DoctorFacts, d: Derived): string | null {
  const m = SUBJECT.exec(d.sub ?? '')
  if (facts.start.kind !== 'token' || m === null) return null
  const [, namespace = '', serviceAccount = ''] = m
  const audience = d.aud[0] ?? DEFAULT_AUDIENCE
  return `kubectl create token ${shellQuote(serviceAccount)} -n ${shellQuote(namespace)} --audience ${shellQuote(audience)} > ${shellQuote(facts.start.file)}`
}

/** token.decodes */
export function tokenDecodes(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'token.decodes'
  const t = facts.token
  if (t === undefined) return result(name, 'skipped', 'no token at this starting point')
  if (t.state !== 'found')
    return result(
      name,
      'cannot-tell',
      `no token: ${t.state === 'unknown' ? t.why : (t.why ?? 'none')}`,
    )
  if (d.decoded === undefined)
    return result(name, 'fail', `the token is not a JWT: ${d.tokenError ?? ''}`, {
      source: t.value.source,
    })
  const p = d.decoded.payload
  const absent = ['iss', 'sub', 'aud', 'exp'].filter((k) => p[k] === undefined)
  const evidence = {
    source: t.value.source,
    iss: d.iss ?? null,
    sub: d.sub ?? null,
    aud: d.aud,
    exp: d.exp ?? null,
    kid: d.decoded.header.kid ?? null,
    alg: d.decoded.header.alg,
  }
  if (absent.length > 0)
    return result(name, 'fail', `the token lacks ${absent.join(', ')}`, evidence)
  return result(name, 'pass', `a JWT for ${d.sub ?? ''} from ${d.iss ?? ''}`, evidence)
}

/** token.not-expired */
export function tokenNotExpired(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'token.not-expired'
  const skip = noToken(name, facts, d)
  if (skip !== undefined) return skip
  const now = Math.floor(facts.nowMs / 1000)
  const evidence = { exp: d.exp ?? null, now }
  if (d.exp === undefined) return result(name, 'cannot-tell', 'the token has no exp', evidence)
  if (d.exp <= now)
    return result(
      name,
      'fail',
      `the token expired ${now - d.exp} s ago (STS answers ExpiredTokenException): the kubelet stopped refreshing it, or it was copied`,
      evidence,
      newTokenFix(facts, d),
    )
  return result(name, 'pass', `expires in ${d.exp - now} s`, evidence)
}

/** token.audience */
export function tokenAudience(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'token.audience'
  const skip = noToken(name, facts, d)
  if (skip !== undefined) return skip
  const annotated = annotation(d.sa, AUDIENCE_ANNOTATION)
  const clientIds = d.provider?.clientIds
  const evidence = {
    expected: d.expectedAudience,
    presented: d.aud,
    saAnnotation: annotated ?? null,
    clientIdList: clientIds ?? null,
  }
  if (!d.aud.includes(d.expectedAudience))
    return result(
      name,
      'fail',
      `the token's aud ${JSON.stringify(d.aud)} does not include ${d.expectedAudience}`,
      evidence,
      audienceFix(d, DEFAULT_AUDIENCE),
    )
  if (annotated !== undefined && clientIds !== undefined && !clientIds.includes(annotated)) {
    const want = clientIds.includes(DEFAULT_AUDIENCE)
      ? DEFAULT_AUDIENCE
      : (clientIds[0] ?? DEFAULT_AUDIENCE)
    return result(
      name,
      'fail',
      `the ServiceAccount's ${AUDIENCE_ANNOTATION} ${annotated} is not one of the provider's client IDs ${JSON.stringify(clientIds)}: its pods get tokens STS refuses (Incorrect token audience); meant ${want}?`,
      { ...evidence, expected: want },
      audienceFix(d, want),
    )
  }
  return result(name, 'pass', `aud includes ${d.expectedAudience}`, evidence)
}

/** Annotates the ServiceAccount with `audience`, then restarts the pod (its token keeps the old one). */
function audienceFix(d: Derived, audience: string): string | null {
  if (d.saName === undefined || d.namespace === undefined) return null
  const annotate = `kubectl annotate serviceaccount ${shellQuote(d.saName)} -n ${shellQuote(d.namespace)} ${AUDIENCE_ANNOTATION}=${shellQuote(audience)} --overwrite`
  return d.pod === undefined ? annotate : `${annotate}\n${restartCommand(d.pod, d.namespace)}`
}

/** token.issuer */
export function tokenIssuer(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'token.issuer'
  const skip = noToken(name, facts, d)
  if (skip !== undefined) return skip
  const c = facts.clusterIssuer
  if (c === undefined)
    return result(name, 'skipped', 'no cluster at this starting point', {
      presented: d.iss ?? null,
    })
  if (c.state !== 'found')
    return result(
      name,
      'cannot-tell',
      `the cluster's issuer is not known: ${c.state === 'unknown' ? c.why : 'none'}`,
      { presented: d.iss ?? null },
    )
  const evidence = { expected: c.value.url, presented: d.iss ?? null, source: c.value.source }
  if (d.iss === c.value.url)
    return result(name, 'pass', `iss is the cluster's issuer ${c.value.url}`, evidence)
  return result(
    name,
    'fail',
    `the token's iss ${d.iss ?? '(none)'} is not the cluster's issuer ${c.value.url}`,
    evidence,
  )
}

/** issuer.discovery */
export function issuerDiscovery(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'issuer.discovery'
  const f = facts.discovery
  if (f === undefined)
    return result(
      name,
      d.iss === undefined ? 'cannot-tell' : 'skipped',
      'discovery was not fetched (no issuer)',
    )
  const evidence: Record<string, unknown> = { url: f.url, ms: Math.round(f.ms) }
  if (!f.ok)
    return result(
      name,
      'fail',
      f.failure === 'untrusted'
        ? `the issuer's certificate does not verify: ${f.error}`
        : `discovery unreachable: ${f.error} (STS answers IDPCommunicationError)`,
      { ...evidence, failure: f.failure },
    )
  const issuer = stringAt(f.value, 'issuer')
  evidence['expected'] = d.iss ?? null
  evidence['presented'] = issuer ?? null
  if (issuer !== d.iss)
    return result(
      name,
      'fail',
      `the discovery document's issuer ${issuer ?? '(none)'} is not the token's iss ${d.iss ?? ''}`,
      evidence,
    )
  if (f.pinned !== undefined)
    return result(
      name,
      'pass',
      `discovery served in ${Math.round(f.ms)} ms over HTTPS no trusted CA verifies: STS accepts it only when the chain's thumbprint is on the provider's list (provider.thumbprint)`,
      { ...evidence, thumbprint: f.pinned },
    )
  return result(
    name,
    'pass',
    `discovery served over verified HTTPS in ${Math.round(f.ms)} ms`,
    evidence,
  )
}

/** issuer.jwks */
export function issuerJwks(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'issuer.jwks'
  const f = facts.jwks
  if (f === undefined)
    return result(name, 'cannot-tell', 'the key set was not fetched (no discovery jwks_uri)')
  const evidence: Record<string, unknown> = { url: f.url, ms: Math.round(f.ms) }
  if (!f.ok)
    return result(
      name,
      'fail',
      `JWKS unreachable: ${f.error} (STS answers IDPCommunicationError)`,
      { ...evidence, failure: f.failure },
    )
  const keys = (f.value as { keys?: unknown } | null)?.keys
  const kids = Array.isArray(keys) ? keys.map((k) => stringAt(k, 'kid') ?? '') : []
  const kid = d.decoded?.header.kid ?? ''
  evidence['kids'] = kids
  evidence['tokenKid'] = kid
  if (d.decoded === undefined || facts.token?.state !== 'found')
    return result(name, 'pass', `${kids.length} key(s) published`, evidence)
  if (!kids.includes(kid))
    return result(
      name,
      'fail',
      `the token's kid ${kid} is not in the published key set (key rotated, or published too late)`,
      evidence,
      newTokenFix(facts, d),
    )
  try {
    const set = createTokenKeySet({ keys: Array.isArray(keys) ? keys : [] })
    verifyToken(facts.token.value.text.trim(), set, { clock: { now: () => facts.nowMs } })
  } catch (e) {
    const code = isTokenError(e) ? e.code : ''
    if (code !== 'ERR_TOKEN_EXPIRED' && code !== 'ERR_TOKEN_NOT_YET_VALID')
      return result(
        name,
        'fail',
        `the signature does not verify with the published key ${kid}: ${e instanceof Error ? e.message : String(e)}`,
        evidence,
      )
  }
  return result(name, 'pass', `key ${kid} published and the signature verifies`, evidence)
}
