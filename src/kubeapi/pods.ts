import { rfc3339 } from '../local/index.js'
import type { JsonObject, JsonValue } from '../webhook/index.js'
import { isObject, str } from './json.js'

/**
 * Pods are simulated: no container runs. A created pod gets the defaults kube-apiserver
 * fills in (pkg/apis/core/v1/defaults.go: restartPolicy, dnsPolicy, schedulerName,
 * terminationGracePeriodSeconds, imagePullPolicy, termination message fields; the
 * ServiceAccount admission plugin's `serviceAccountName: default`), and a status as KWOK
 * reports it (phase Running, every container ready), with an annotation and a condition
 * that say irsa simulates it, so `kubectl describe pod` shows it.
 */

/** Where the ServiceAccount admission plugin mounts the API token, CA and namespace. */
export const API_ACCESS_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount'

/**
 * The `kube-api-access-XXXXX` projected volume the ServiceAccount admission plugin adds
 * (plugin/pkg/admission/serviceaccount): a bound token (3607 s, kube-apiserver's
 * default with its 7 s of jitter), the cluster CA from `kube-root-ca.crt`, the
 * namespace; mounted read-only in every container unless automounting is off.
 */
export function withApiAccess(pod: JsonObject, suffix: string): JsonObject {
  const spec = isObject(pod['spec']) ? pod['spec'] : {}
  const name = `kube-api-access-${suffix}`
  const volume: JsonObject = {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [
              {
                path: 'namespace',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ],
    },
  }
  const mount = (c: JsonValue): JsonValue => {
    if (!isObject(c)) return c
    const mounts = Array.isArray(c['volumeMounts']) ? c['volumeMounts'] : []
    if (mounts.some((m) => isObject(m) && m['mountPath'] === API_ACCESS_MOUNT)) return c
    return {
      ...c,
      volumeMounts: [...mounts, { name, readOnly: true, mountPath: API_ACCESS_MOUNT }],
    }
  }
  const each = (key: string): JsonObject =>
    Array.isArray(spec[key]) ? { [key]: spec[key].map(mount) } : {}
  return {
    ...pod,
    spec: {
      ...spec,
      volumes: [...(Array.isArray(spec['volumes']) ? spec['volumes'] : []), volume],
      ...each('containers'),
      ...each('initContainers'),
    },
  }
}

/** The annotation on every simulated pod. */
export const SIMULATED_ANNOTATION = 'irsa.dev/simulated'

function pullPolicy(image: JsonValue | undefined): string {
  if (typeof image !== 'string') return 'IfNotPresent'
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest')
  return tag === 'latest' ? 'Always' : 'IfNotPresent'
}

function defaultContainer(c: JsonValue): JsonValue {
  if (!isObject(c)) return c
  return {
    ...c,
    imagePullPolicy: c['imagePullPolicy'] ?? pullPolicy(c['image']),
    terminationMessagePath: c['terminationMessagePath'] ?? '/dev/termination-log',
    terminationMessagePolicy: c['terminationMessagePolicy'] ?? 'File',
    resources: c['resources'] ?? {},
  }
}

/** A pod with kube-apiserver's defaults where it sets none. */
export function defaultPod(pod: JsonObject): JsonObject {
  const spec = isObject(pod['spec']) ? pod['spec'] : {}
  const sa =
    typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== ''
      ? spec['serviceAccountName']
      : typeof spec['serviceAccount'] === 'string' && spec['serviceAccount'] !== ''
        ? spec['serviceAccount']
        : 'default'
  const meta = isObject(pod['metadata']) ? pod['metadata'] : {}
  const annotations = isObject(meta['annotations']) ? meta['annotations'] : {}
  return {
    ...pod,
    metadata: { ...meta, annotations: { ...annotations, [SIMULATED_ANNOTATION]: 'true' } },
    spec: {
      ...spec,
      containers: Array.isArray(spec['containers']) ? spec['containers'].map(defaultContainer) : [],
      ...(Array.isArray(spec['initContainers'])
        ? { initContainers: spec['initContainers'].map(defaultContainer) }
        : {}),
      serviceAccountName: sa,
      serviceAccount: sa,
      restartPolicy: spec['restartPolicy'] ?? 'Always',
      dnsPolicy: spec['dnsPolicy'] ?? 'ClusterFirst',
      schedulerName: spec['schedulerName'] ?? 'default-scheduler',
      terminationGracePeriodSeconds: spec['terminationGracePeriodSeconds'] ?? 30,
      securityContext: spec['securityContext'] ?? {},
      enableServiceLinks: spec['enableServiceLinks'] ?? true,
      nodeName: spec['nodeName'] ?? 'irsa',
    },
  }
}

/** The status a simulated pod reports at `nowMs`: Running, every container ready. */
export function simulatedPodStatus(pod: JsonObject, nowMs: number): JsonObject {
  const at = rfc3339(nowMs)
  const spec = isObject(pod['spec']) ? pod['spec'] : {}
  const containers = Array.isArray(spec['containers']) ? spec['containers'].filter(isObject) : []
  const condition = (type: string): JsonObject => ({
    type,
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: at,
  })
  return {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers'),
      condition('Initialized'),
      condition('Ready'),
      condition('ContainersReady'),
      condition('PodScheduled'),
      {
        type: 'irsa.dev/Simulated',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: at,
        reason: 'Simulated',
        message:
          'irsa simulates this pod: no container runs; kubectl exec runs the command on the host with the pod’s IRSA environment',
      },
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    startTime: at,
    qosClass: 'BestEffort',
    containerStatuses: containers.map((c) => ({
      name: c['name'] ?? '',
      ready: true,
      started: true,
      restartCount: 0,
      image: c['image'] ?? '',
      imageID: '',
      containerID: `irsa://${str(c['name'])}`,
      state: { running: { startedAt: at } },
      lastState: {},
    })),
  }
}
