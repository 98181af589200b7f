import { result, shellQuote, type Derived } from './derive.js'
import type { CheckResult, DoctorFacts, ProviderFact } from './facts.js'

/** IAM's default quota of OIDC providers per account (L-858F3967). */
export const PROVIDER_QUOTA = 100

const urlOfArn = (arn: string): string =>
  arn.slice(arn.indexOf(':oidc-provider/') + ':oidc-provider/'.length)
const accountOfArn = (arn: string): string => arn.split(':')[4] ?? ''

/** Why a listed provider is a near miss for `url` in `account`, or undefined. */
export function nearMiss(arn: string, url: string, account: string): string | undefined {
  const theirs = urlOfArn(arn)
  const other = accountOfArn(arn) !== account
  if (theirs === url)
    return other
      ? `the provider is in account ${accountOfArn(arn)}, but the role is in ${account}: STS looks in the role's account`
      : undefined
  if (theirs.replace(/\/+$/, '') === url.replace(/\/+$/, ''))
    return `${arn} differs from the token's issuer only by a trailing slash`
  if (theirs.toLowerCase() === url.toLowerCase())
    return `${arn} differs from the token's issuer only in case`
  return undefined
}

function needsProvider(name: string, facts: DoctorFacts, d: Derived): CheckResult | undefined {
  if (d.providerUrl === undefined)
    return result(
      name,
      'cannot-tell',
      d.iss === undefined
        ? 'no token issuer to look for'
        : `the issuer ${d.iss} is not https: IAM has no provider for it`,
    )
  if (d.role === undefined)
    return result(
      name,
      'cannot-tell',
      "no role ARN: the provider is looked up in the role's account",
    )
  if (facts.providers === undefined) return result(name, 'skipped', 'providers were not read')
  if (facts.providers.state !== 'found')
    return result(
      name,
      'cannot-tell',
      `IAM providers could not be listed: ${facts.providers.state === 'unknown' ? facts.providers.why : ''}`,
    )
  return undefined
}

function createFix(facts: DoctorFacts, d: Derived): string {
  const thumb = facts.jwksTls?.state === 'found' ? facts.jwksTls.value.thumbprint : 'THUMBPRINT'
  const cluster = facts.cluster
  return [
    ...(cluster !== undefined
      ? [
          `irsa utils associate-iam-oidc-provider --cluster ${shellQuote(cluster)} --approve`,
          '# or:',
        ]
      : []),
    `aws iam create-open-id-connect-provider --url ${shellQuote(d.iss ?? '')} --client-id-list ${shellQuote(d.expectedAudience)} --thumbprint-list ${thumb}`,
  ].join('\n')
}

/** provider.exists */
export function providerExists(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'provider.exists'
  const skip = needsProvider(name, facts, d)
  if (skip !== undefined) return skip
  const listed = facts.providers?.state === 'found' ? facts.providers.value : []
  const account = d.role?.account ?? ''
  const url = d.providerUrl ?? ''
  const expected = d.expectedProviderArn ?? ''
  const evidence = {
    expected: d.expectedProviderArn,
    listed,
    callerAccount: facts.callerAccount?.state === 'found' ? facts.callerAccount.value : null,
  }
  if (listed.includes(expected)) return result(name, 'pass', `${expected} exists`, evidence)
  const misses = listed
    .map((arn) => nearMiss(arn, url, account))
    .filter((m): m is string => m !== undefined)
  const caller = evidence.callerAccount
  if (misses.length === 0 && caller !== null && caller !== account)
    return result(
      name,
      'cannot-tell',
      `the credentials are for account ${caller}; the role's account ${account} cannot be listed from here`,
      evidence,
    )
  return result(
    name,
    'fail',
    `no OIDC provider for ${url} in account ${account} (STS answers InvalidIdentityToken: No OpenIDConnect provider found)${misses.length > 0 ? `; near miss: ${misses.join('; ')}` : ''}`,
    { ...evidence, nearMisses: misses },
    createFix(facts, d),
  )
}

function withProvider(name: string, facts: DoctorFacts, d: Derived): ProviderFact | CheckResult {
  const skip = needsProvider(name, facts, d)
  if (skip !== undefined) return skip
  return d.provider ?? result(name, 'cannot-tell', 'no provider to compare with')
}

const isProvider = (p: ProviderFact | CheckResult): p is ProviderFact => 'clientIds' in p

/** provider.audience */
export function providerAudience(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'provider.audience'
  const p = withProvider(name, facts, d)
  if (!isProvider(p)) return p
  const evidence = { presented: d.aud, clientIdList: p.clientIds }
  if (d.aud.some((a) => p.clientIds.includes(a)))
    return result(name, 'pass', "the token's aud is one of the provider's client IDs", evidence)
  const want = d.aud[0] ?? d.expectedAudience
  return result(
    name,
    'fail',
    `no aud ${JSON.stringify(d.aud)} is in the provider's ClientIDList ${JSON.stringify(p.clientIds)} (STS answers InvalidIdentityToken: Incorrect token audience)`,
    evidence,
    `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${shellQuote(p.arn)} --client-id ${shellQuote(want)}`,
  )
}

/** provider.thumbprint */
export function providerThumbprint(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'provider.thumbprint'
  const p = withProvider(name, facts, d)
  if (!isProvider(p)) return p
  const tls = facts.jwksTls
  if (tls === undefined || tls.state !== 'found')
    return result(
      name,
      'cannot-tell',
      `the JWKS host's certificate chain could not be read${tls?.state === 'unknown' ? `: ${tls.why}` : ''}`,
      { thumbprintList: p.thumbprints },
    )
  const listed = new Set(p.thumbprints.map((t) => t.toLowerCase()))
  const onList = tls.value.chain.filter((c) => listed.has(c.sha1)).map((c) => c.sha1)
  // Read only through a pin: no trusted CA vouches for the chain, STS needs the list.
  const trusted = facts.jwks?.ok === true && facts.jwks.pinned === undefined
  const evidence = {
    host: tls.value.host,
    expected: tls.value.thumbprint,
    presented: p.thumbprints,
    thumbprintList: p.thumbprints,
    chainOnList: onList,
    chainVerifies: trusted,
  }
  if (onList.length > 0)
    return result(
      name,
      'pass',
      `the JWKS host's thumbprint ${onList[0] ?? ''} is on the provider's list`,
      evidence,
    )
  if (trusted)
    return result(
      name,
      'pass',
      "not on the list, but the JWKS host's chain verifies against a trusted CA (STS bypasses the thumbprint)",
      evidence,
    )
  return result(
    name,
    'fail',
    `the JWKS host ${tls.value.host} presents ${tls.value.thumbprint}, not on the provider's ThumbprintList (STS answers InvalidIdentityToken: certificate doesn't match configured thumbprint)`,
    evidence,
    `aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn ${shellQuote(p.arn)} --thumbprint-list ${[tls.value.thumbprint, ...p.thumbprints].join(' ')}`,
  )
}

/** provider.quota */
export function providerQuota(facts: DoctorFacts, d: Derived): CheckResult {
  const name = 'provider.quota'
  const l = facts.providers
  if (l === undefined) return result(name, 'skipped', 'providers were not read')
  if (l.state !== 'found') return result(name, 'cannot-tell', 'providers could not be listed')
  const count = l.value.length
  const evidence = { providers: count, quota: PROVIDER_QUOTA }
  const missing = d.expectedProviderArn !== undefined && !l.value.includes(d.expectedProviderArn)
  if (count >= PROVIDER_QUOTA && missing)
    return result(
      name,
      'fail',
      `the account has ${count} OIDC providers, the quota (L-858F3967): a new one cannot be created; share one issuer across clusters or ask for a raise`,
      evidence,
    )
  return result(
    name,
    'pass',
    `${count} of ${PROVIDER_QUOTA} OIDC providers${count >= PROVIDER_QUOTA * 0.9 ? ' (near the quota)' : ''}`,
    evidence,
  )
}
