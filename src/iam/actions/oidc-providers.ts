import { awsError, IAM_ERRORS, list, struct } from '../../aws/index.js'
import { oidcProviderArn, type OidcProvider, type Store } from '../../store/index.js'
import type { IamActionSpec, IamCall } from '../action-kit.js'
import { pagedResult, readPaging } from '../paging.js'
import { ARN, CLIENT_ID, PROVIDER_URL, QUOTAS, THUMBPRINT, required } from '../rules.js'
import {
  checkTagQuota,
  readTagKeys,
  readTags,
  refuseDuplicateKeys,
  requestTagContext,
  resourceTagContext,
} from '../tags.js'
import { tagList, time } from '../wire.js'

const quota = (name: keyof typeof QUOTAS): never => {
  throw awsError(IAM_ERRORS.LimitExceeded, {
    variant: 'quota',
    params: { quota: name, limit: QUOTAS[name] },
  })
}

/** IAM's answer to more than five thumbprints (InvalidInput, worded as IAM words it). */
const tooManyThumbprints = (): never => {
  throw awsError(IAM_ERRORS.InvalidInput, {
    variant: 'thumbprints',
    reason: `more than ${QUOTAS.ThumbprintsPerOpenIdConnectProvider} thumbprints`,
  })
}

/**
 * A provider URL as IAM keeps it: `https://` removed. IAM requires `https://`, a host and
 * no query or fragment. A port is accepted (AWS refuses one; irsa needs it on loopback).
 */
function providerUrl(raw: string): string {
  const m = /^https:\/\/([^/?#\s]+)([^?#\s]*)$/i.exec(raw)
  if (m === null)
    throw awsError(IAM_ERRORS.ValidationError, {
      variant: 'providerUrl',
      reason: 'the provider URL must be https:// followed by a host, with no query or fragment',
    })
  return `${m[1] ?? ''}${m[2] ?? ''}`
}

function readArn(call: IamCall): string {
  return call.v.string('OpenIDConnectProviderArn', required(ARN))
}

function requireProvider(store: Store, call: IamCall, arn: string): OidcProvider {
  if (!/^arn:aws:iam::[0-9]{12}:oidc-provider\/.+$/.test(arn))
    throw awsError(IAM_ERRORS.InvalidInput, { variant: 'badArn', params: { arn } })
  const found = store.oidcProviders.get(arn)
  if (found?.accountId !== call.accountId)
    throw awsError(IAM_ERRORS.NoSuchEntity, { variant: 'oidcProvider', params: { arn } })
  return found
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)]
}

function readThumbprints(call: IamCall, required: boolean): string[] | undefined {
  const list = required
    ? call.v.list('ThumbprintList', { required: true })
    : call.v.list('ThumbprintList')
  list?.forEach((t, i) => {
    if (t.length !== THUMBPRINT.min)
      call.v.fail(
        `thumbprintList.${i + 1}.member`,
        t,
        t.length < (THUMBPRINT.min ?? 40)
          ? `Member must have length greater than or equal to ${THUMBPRINT.min ?? 40}`
          : `Member must have length less than or equal to ${THUMBPRINT.max ?? 40}`,
      )
  })
  return list
}

/** The OIDC identity provider actions of the IAM API. */
export function oidcProviderActions(store: Store): IamActionSpec[] {
  /** Resolves the provider named by the call, after the caller is authorised on its ARN. */
  const authorized = (call: IamCall, arn: string): OidcProvider => {
    const existing = store.oidcProviders.get(arn)
    call.authorize(
      arn,
      existing?.accountId === call.accountId ? resourceTagContext(existing.tags) : undefined,
    )
    return requireProvider(store, call, arn)
  }
  return [
    {
      name: 'CreateOpenIDConnectProvider',
      handle(call) {
        const { v } = call
        const rawUrl = v.string('Url', required(PROVIDER_URL))
        const clientIds = v.list('ClientIDList') ?? []
        clientIds.forEach((c, i) => {
          if (c.length < (CLIENT_ID.min ?? 1) || c.length > (CLIENT_ID.max ?? 255))
            v.fail(
              `clientIDList.${i + 1}.member`,
              c,
              c.length < 1
                ? 'Member must have length greater than or equal to 1'
                : 'Member must have length less than or equal to 255',
            )
        })
        const thumbprints = readThumbprints(call, false) ?? []
        const tags = readTags(call.ctx.params, v)
        v.check()
        const url = providerUrl(rawUrl)
        const arn = oidcProviderArn(call.accountId, url)
        call.authorize(arn, requestTagContext(tags))
        if (tags !== undefined) refuseDuplicateKeys(tags)
        const ids = dedupe(clientIds)
        const prints = dedupe(thumbprints.map((t) => t.toLowerCase()))
        if (ids.length > QUOTAS.ClientIdsPerOpenIdConnectProvider)
          quota('ClientIdsPerOpenIdConnectProvider')
        if (prints.length > QUOTAS.ThumbprintsPerOpenIdConnectProvider) tooManyThumbprints()
        if (store.oidcProviders.getByUrl(call.accountId, url) !== undefined)
          throw awsError(IAM_ERRORS.EntityAlreadyExists, {
            variant: 'oidcProvider',
            params: { url: `https://${url}` },
          })
        if (store.oidcProviders.count(call.accountId) >= QUOTAS.OpenIdConnectProvidersPerAccount)
          quota('OpenIdConnectProvidersPerAccount')
        const created = store.oidcProviders.create({
          accountId: call.accountId,
          url,
          clientIds: ids,
          thumbprints: prints,
          ...(tags === undefined ? {} : { tags }),
        })
        return struct({
          OpenIDConnectProviderArn: created.arn,
          Tags: created.tags.length > 0 ? tagList(created.tags) : undefined,
        })
      },
    },
    {
      name: 'GetOpenIDConnectProvider',
      handle(call) {
        const arn = readArn(call)
        call.v.check()
        const p = authorized(call, arn)
        return struct({
          Url: p.url,
          ClientIDList: list(p.clientIds),
          ThumbprintList: list(p.thumbprints),
          CreateDate: time(p.createdAt),
          Tags: tagList(p.tags),
        })
      },
    },
    {
      name: 'ListOpenIDConnectProviders',
      handle(call) {
        call.v.check()
        call.authorize('*')
        const providers = store.oidcProviders.list(call.accountId)
        return struct({
          OpenIDConnectProviderList: list(providers.map((p) => struct({ Arn: p.arn }))),
        })
      },
    },
    {
      name: 'DeleteOpenIDConnectProvider',
      handle(call) {
        const arn = readArn(call)
        call.v.check()
        authorized(call, arn)
        store.oidcProviders.delete(arn)
        return undefined
      },
    },
    {
      name: 'UpdateOpenIDConnectProviderThumbprint',
      handle(call) {
        const arn = readArn(call)
        const thumbprints = readThumbprints(call, true) ?? []
        call.v.check()
        authorized(call, arn)
        const prints = dedupe(thumbprints.map((t) => t.toLowerCase()))
        if (prints.length > QUOTAS.ThumbprintsPerOpenIdConnectProvider) tooManyThumbprints()
        store.oidcProviders.setThumbprints(arn, prints)
        return undefined
      },
    },
    {
      name: 'AddClientIDToOpenIDConnectProvider',
      handle(call) {
        const arn = readArn(call)
        const clientId = call.v.string('ClientID', required(CLIENT_ID))
        call.v.check()
        const p = authorized(call, arn)
        if (
          !p.clientIds.includes(clientId) &&
          p.clientIds.length >= QUOTAS.ClientIdsPerOpenIdConnectProvider
        )
          quota('ClientIdsPerOpenIdConnectProvider')
        store.oidcProviders.addClientId(arn, clientId)
        return undefined
      },
    },
    {
      name: 'RemoveClientIDFromOpenIDConnectProvider',
      handle(call) {
        const arn = readArn(call)
        const clientId = call.v.string('ClientID', required(CLIENT_ID))
        call.v.check()
        authorized(call, arn)
        store.oidcProviders.removeClientId(arn, clientId)
        return undefined
      },
    },
    {
      name: 'TagOpenIDConnectProvider',
      handle(call) {
        const arn = readArn(call)
        const tags = readTags(call.ctx.params, call.v, true) ?? []
        call.v.check()
        const existing = store.oidcProviders.get(arn)
        call.authorize(arn, {
          ...(existing?.accountId === call.accountId ? resourceTagContext(existing.tags) : {}),
          ...requestTagContext(tags),
        })
        const p = requireProvider(store, call, arn)
        refuseDuplicateKeys(tags)
        checkTagQuota('TagsPerOpenIdConnectProvider', p.tags, tags, false)
        store.oidcProviders.tag(arn, tags)
        return undefined
      },
    },
    {
      name: 'UntagOpenIDConnectProvider',
      handle(call) {
        const arn = readArn(call)
        const keys = readTagKeys(call.v)
        call.v.check()
        const existing = store.oidcProviders.get(arn)
        call.authorize(arn, {
          ...(existing?.accountId === call.accountId ? resourceTagContext(existing.tags) : {}),
          'aws:TagKeys': keys,
        })
        requireProvider(store, call, arn)
        store.oidcProviders.untag(arn, keys)
        return undefined
      },
    },
    {
      name: 'ListOpenIDConnectProviderTags',
      handle(call) {
        const arn = readArn(call)
        const paging = readPaging(call.v)
        call.v.check()
        const p = authorized(call, arn)
        return pagedResult('Tags', p.tags, paging, (t) => struct({ Key: t.key, Value: t.value }))
      },
    },
  ]
}
