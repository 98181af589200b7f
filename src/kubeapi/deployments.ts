import { createHash, randomBytes } from 'node:crypto'
import type { JsonObject, JsonValue } from '../webhook/index.js'
import { metaOf, metaString, obj } from './json.js'

/**
 * What the Deployment and ReplicaSet controllers of a real cluster would do, done at once:
 * a Deployment's replicas exist as pods made from its template (each through admission),
 * labelled with `pod-template-hash`; a changed template replaces them; scaling adds or
 * removes pods; the status counts them. No ReplicaSet objects are served: the pods'
 * controller owner is the Deployment itself.
 */

/** kube-controller-manager's pod name suffix alphabet (no vowels, no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** `n` random characters of kube-controller-manager's name alphabet. */
export function suffix(n: number): string {
  return [...randomBytes(n)].map((b) => ALPHABET[b % ALPHABET.length] ?? 'x').join('')
}

/** The `pod-template-hash` of a template: 10 characters of its digest. */
export function templateHash(template: JsonValue | undefined): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest()
  return [...digest.subarray(0, 10)].map((b) => ALPHABET[b % ALPHABET.length] ?? 'x').join('')
}

/** The replicas a Deployment asks for (default 1). */
export function desiredReplicas(d: JsonObject): number {
  const n = obj(d['spec'])['replicas']
  return typeof n === 'number' && n >= 0 ? Math.floor(n) : 1
}

/** Whether a pod is one of `d`'s (its controller owner reference names d's uid). */
export function ownedBy(pod: JsonObject, d: JsonObject): boolean {
  const refs = metaOf(pod)['ownerReferences']
  const uid = metaString(d, 'uid')
  return (
    Array.isArray(refs) && refs.some((r) => obj(r)['uid'] === uid && obj(r)['controller'] === true)
  )
}

/** A new pod of `d` from its template, before admission. */
export function podFor(d: JsonObject, hash: string): JsonObject {
  const template = obj(obj(d['spec'])['template'])
  const tmeta = metaOf(template)
  const name = metaString(d, 'name')
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...tmeta,
      name: `${name}-${hash}-${suffix(5)}`,
      generateName: `${name}-${hash}-`,
      namespace: metaString(d, 'namespace'),
      labels: { ...obj(tmeta['labels']), 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          uid: metaString(d, 'uid'),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: obj(template['spec']),
  }
}

/** The status of `d` with `ready` of its pods made and `failure` the last refusal. */
export function deploymentStatus(
  d: JsonObject,
  ready: number,
  at: string,
  failure: string | undefined,
): JsonObject {
  const want = desiredReplicas(d)
  const condition = (type: string, ok: boolean, reason: string, message: string): JsonObject => ({
    type,
    status: ok ? 'True' : 'False',
    lastUpdateTime: at,
    lastTransitionTime: at,
    reason,
    message,
  })
  const name = metaString(d, 'name')
  return {
    observedGeneration: metaOf(d)['generation'] ?? 1,
    replicas: ready,
    updatedReplicas: ready,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(ready < want ? { unavailableReplicas: want - ready } : {}),
    conditions: [
      condition(
        'Available',
        ready >= want,
        ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        ready >= want
          ? 'Deployment has minimum availability.'
          : 'Deployment does not have minimum availability.',
      ),
      ...(failure !== undefined
        ? [condition('ReplicaFailure', true, 'FailedCreate', failure)]
        : []),
      condition(
        'Progressing',
        failure === undefined,
        failure === undefined ? 'NewReplicaSetAvailable' : 'ProgressDeadlineExceeded',
        failure === undefined
          ? `Deployment "${name}" has successfully progressed.`
          : `Deployment "${name}" could not create its pods.`,
      ),
    ],
  }
}
