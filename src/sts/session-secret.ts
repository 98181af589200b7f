import type { Store } from '../store/index.js'

/** The name of the session-token key in `store.serverSecrets`. */
const SESSION_SECRET_NAME = 'sts-session-key'

/**
 * The 32-byte key session tokens are sealed with, created in `store.serverSecrets` the
 * first time (so a restart, or another replica on the same store, opens old sessions).
 */
export function loadSessionSecret(store: Store): Uint8Array {
  return new Uint8Array(store.serverSecrets.getOrCreate(SESSION_SECRET_NAME, 32))
}
