import type { PodView } from './pod-view.js'
import type { JsonObject } from './types.js'
import { quote } from './warnings.js'

/** STS accepts role session names of 2 to 64 characters. */
const ROLE_SESSION_NAME_MAX = 64
const ROLE_SESSION_NAME_MIN = 2

/** The `AWS_ROLE_SESSION_NAME` env entry for a pod, or why there is none. */
interface SessionNameEntry {
  readonly entry: JsonObject | undefined
  readonly warning: string | undefined
}

/**
 * `AWS_ROLE_SESSION_NAME` = the pod name, so CloudTrail names the pod (reference #112).
 *
 * A pod created from `generateName` (every pod of a Deployment, Job or StatefulSet…) has
 * no name yet when admission runs: the API server generates it afterwards. Such a pod
 * gets `valueFrom.fieldRef: metadata.name`, which the kubelet resolves to the final name;
 * generated names are at most 63 characters, within STS's limit. A pod that has its name
 * gets it as a literal value, cut to 64 characters if longer (pod names may have 253),
 * and a one-character name (below STS's minimum of 2) gets no session name.
 */
export function sessionNameEntry(pod: PodView): SessionNameEntry {
  const name = 'AWS_ROLE_SESSION_NAME'
  if (pod.name === '') {
    if (pod.generateName === '') {
      return { entry: undefined, warning: `the pod has no name; ${name} was not injected` }
    }
    return {
      entry: { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      warning: undefined,
    }
  }
  if (pod.name.length < ROLE_SESSION_NAME_MIN) {
    return {
      entry: undefined,
      warning: `pod name ${quote(pod.name)} is shorter than the 2 characters STS needs for a session name; ${name} was not injected`,
    }
  }
  if (pod.name.length > ROLE_SESSION_NAME_MAX) {
    const value = pod.name.slice(0, ROLE_SESSION_NAME_MAX)
    return {
      entry: { name, value },
      warning: `pod name is longer than the 64 characters STS allows; ${name} is ${quote(value)}`,
    }
  }
  return { entry: { name, value: pod.name }, warning: undefined }
}
