export type { Principal, AccountRootPrincipal, RoleSessionPrincipal } from './principal.js'
