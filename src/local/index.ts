export { LocalError, isLocalError, notFound } from './errors.js'
export type { LocalErrorCode } from './errors.js'
export { parseManifests } from './manifest.js'
export type { Manifest, ParseOptions } from './manifest.js'
export {
  BUILTIN_NAMESPACES,
  DEFAULT_NAMESPACE,
  renderObject,
  resourceOf,
  typeOf,
  rfc3339,
} from './objects.js'
export { namespaceExists, requireNamespace } from './namespaces.js'
export { admitPod, podServiceAccountName } from './admission.js'
export type { AdmittedPod } from './admission.js'
export {
  localMutationConfig,
  STACK_REGION_SETTING,
  STACK_ACCOUNT_SETTING,
  STACK_ENDPOINT_SETTING,
} from './mutation-config.js'
export { findServiceAccount, createStoreServiceAccountSource } from './service-accounts.js'
export { applyManifest, applyManifests } from './apply.js'
export type { ApplyOutcome } from './apply.js'
export { humanDuration } from './age.js'
export { kindOfResource, getObjects, formatTable, formatObjects, noResources } from './get.js'
export type { GetQuery } from './get.js'
export { planExec, execEnvironment, REMOVED_ENV } from './exec-plan.js'
export type { ExecPlan, SignedToken } from './exec-plan.js'
export { runWithToken, nodeTimers, REFRESH_FRACTION, RETRY_MS } from './exec.js'
export type { RunWithTokenOptions, Timers, TimerHandle } from './exec.js'
