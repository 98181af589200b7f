import type { DecodedToken, TokenKeySet, VerifiedToken } from '../token/index.js'

/** How many distinct tokens are remembered (cleared wholesale when full). */
const TOKEN_MEMO_SIZE = 2048
/** Longer tokens are never remembered (bounds the memo to about 16 MiB). */
const TOKEN_MEMO_MAX_LENGTH = 8192

interface Entry {
  readonly decoded: DecodedToken
  verified?: { readonly keys: TokenKeySet; readonly token: VerifiedToken }
}

/**
 * Pods present the same projected token many times (every SDK refresh until the kubelet
 * rotates it), so STS remembers, per exact token text, its parse and the verification it
 * passed with a given key set object. A remembered signature counts only while the
 * fetcher still hands out that very key set (a re-fetched or rotated JWKS is a new
 * object, so the signature is checked again); time-dependent checks (`exp`, `nbf`) and
 * every lookup after them run on every call. Bounded; never holds a failed token.
 */
export class TokenMemo {
  readonly #entries = new Map<string, Entry>()

  decoded(token: string): DecodedToken | undefined {
    return this.#entries.get(token)?.decoded
  }

  rememberDecoded(token: string, decoded: DecodedToken): void {
    if (token.length > TOKEN_MEMO_MAX_LENGTH) return
    if (this.#entries.size >= TOKEN_MEMO_SIZE) this.#entries.clear()
    this.#entries.set(token, { decoded })
  }

  /** The verification `token` passed with exactly `keys`, if any. */
  verified(token: string, keys: TokenKeySet): VerifiedToken | undefined {
    const v = this.#entries.get(token)?.verified
    return v !== undefined && v.keys === keys ? v.token : undefined
  }

  rememberVerified(token: string, keys: TokenKeySet, verified: VerifiedToken): void {
    const e = this.#entries.get(token)
    if (e !== undefined) e.verified = { keys, token: verified }
  }
}
