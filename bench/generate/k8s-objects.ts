import { createHash } from 'node:crypto';
import { REGION } from './aws-account.ts';
import { isoMicros, isoSeconds } from './clock.ts';
import type { Deployment, Node, Pod } from './cluster-model.ts';

/**
 * Kubernetes object bodies as the API server logs them in requestObject/responseObject.
 * Key order follows the Go structs, as real audit JSON does. The parts shared by every
 * pod of one Deployment revision are built once and reused.
 */

const SA_TOKEN_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const IRSA_TOKEN_DIR = '/var/run/secrets/eks.amazonaws.com/serviceaccount';

interface RevisionParts {
  tag: string;
  image: string;
  imageId: string;
  /** Container as the ReplicaSet template declares it (before admission webhooks). */
  templateContainer: Record<string, unknown>;
  /** Container after the EKS pod identity webhook injected the IRSA env and token mount. */
  podContainer: Record<string, unknown>;
  templateVolumes: Record<string, unknown>[];
  podVolumes: Record<string, unknown>[];
  templateSpec: Record<string, unknown>;
}

/** Per Deployment, the current and the previous revision (a rollout mixes both). */
const partsCache = new WeakMap<Deployment, RevisionParts[]>();

/** Same (repository, tag) always resolves to the same digest, like a registry would. */
export function imageDigest(repo: string, tag: string): string {
  return createHash('sha256').update(`${repo}:${tag}`).digest('hex');
}

function revisionParts(deployment: Deployment, tag: string): RevisionParts {
  const cached = partsCache.get(deployment);
  const hit = cached?.find((parts) => parts.tag === tag);
  if (hit) return hit;
  const image = `${deployment.imageRepo}:${tag}`;
  const appEnv = [
    { name: 'APP_ENV', value: 'production' },
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'PORT', value: '8080' },
  ];
  const templateMounts: Record<string, unknown>[] = [];
  const templateVolumes: Record<string, unknown>[] = [];
  if (deployment.configMapName) {
    templateMounts.push({ name: 'config', readOnly: true, mountPath: '/etc/app' });
    templateVolumes.push({ name: 'config', configMap: { name: deployment.configMapName, defaultMode: 420 } });
  }
  if (deployment.secretName) {
    templateMounts.push({ name: 'secrets', readOnly: true, mountPath: '/etc/app-secrets' });
    templateVolumes.push({ name: 'secrets', secret: { secretName: deployment.secretName, defaultMode: 420 } });
  }
  const container = (env: unknown[], volumeMounts: unknown[]): Record<string, unknown> => ({
    name: deployment.name,
    image,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env,
    resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
    volumeMounts,
    readinessProbe: {
      httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    securityContext: {
      capabilities: { drop: ['ALL'] },
      runAsUser: 10001,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
  });
  const podEnv = [...appEnv];
  const podMounts = [...templateMounts];
  const podVolumes = [...templateVolumes];
  if (deployment.irsaRole) {
    podEnv.push(
      { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
      { name: 'AWS_DEFAULT_REGION', value: REGION },
      { name: 'AWS_REGION', value: REGION },
      { name: 'AWS_ROLE_ARN', value: `arn:aws:iam::111122223333:role/${deployment.irsaRole}` },
      { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: `${IRSA_TOKEN_DIR}/token` },
    );
    podMounts.push({ name: 'aws-iam-token', readOnly: true, mountPath: IRSA_TOKEN_DIR });
    podVolumes.unshift({
      name: 'aws-iam-token',
      projected: {
        sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } }],
        defaultMode: 420,
      },
    });
  }
  const templateContainer = container(appEnv, templateMounts);
  const parts: RevisionParts = {
    tag,
    image,
    imageId: `${deployment.imageRepo}@sha256:${imageDigest(deployment.imageRepo, tag)}`,
    templateContainer,
    podContainer: container(podEnv, podMounts),
    templateVolumes,
    podVolumes,
    templateSpec: {
      volumes: templateVolumes,
      containers: [templateContainer],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: deployment.serviceAccount,
      serviceAccount: deployment.serviceAccount,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      schedulerName: 'default-scheduler',
    },
  };
  partsCache.set(deployment, [parts, ...(cached ?? []).slice(0, 1)]);
  return parts;
}

export function podImage(pod: Pod): string {
  return revisionParts(pod.deployment, pod.tag).image;
}

export function podImageId(pod: Pod): string {
  return revisionParts(pod.deployment, pod.tag).imageId;
}

function rsName(pod: Pod): string {
  return `${pod.deployment.name}-${pod.rsHash}`;
}

function podLabels(pod: Pod): Record<string, string> {
  return { app: pod.deployment.name, 'pod-template-hash': pod.rsHash };
}

function ownerReferences(pod: Pod): unknown[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: rsName(pod),
      uid: pod.rsUid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

const TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** The body the replicaset-controller POSTs: the template, not yet defaulted or mutated. */
export function podCreateRequest(pod: Pod): unknown {
  const parts = revisionParts(pod.deployment, pod.tag);
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: `${rsName(pod)}-`,
      creationTimestamp: null,
      labels: podLabels(pod),
      ownerReferences: ownerReferences(pod),
    },
    spec: parts.templateSpec,
    status: {},
  };
}

function podSpec(pod: Pod, withNode: boolean): Record<string, unknown> {
  const parts = revisionParts(pod.deployment, pod.tag);
  const apiAccess = { name: pod.apiAccessVolume, readOnly: true, mountPath: SA_TOKEN_MOUNT };
  const container = {
    ...parts.podContainer,
    volumeMounts: [...(parts.podContainer.volumeMounts as unknown[]), apiAccess],
  };
  return {
    volumes: [
      ...parts.podVolumes,
      {
        name: pod.apiAccessVolume,
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
              },
            },
          ],
          defaultMode: 420,
        },
      },
    ],
    containers: [container],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: pod.deployment.serviceAccount,
    serviceAccount: pod.deployment.serviceAccount,
    nodeName: withNode ? pod.node?.name : undefined,
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    schedulerName: 'default-scheduler',
    tolerations: TOLERATIONS,
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

export interface PodMetadataExtras {
  resourceVersion: string;
  deletionMicros?: number;
  deletionGraceSeconds?: number;
}

function podMetadata(pod: Pod, extras: PodMetadataExtras): Record<string, unknown> {
  return {
    name: pod.name,
    generateName: `${rsName(pod)}-`,
    namespace: pod.deployment.namespace,
    uid: pod.uid,
    resourceVersion: extras.resourceVersion,
    creationTimestamp: isoSeconds(pod.createdMicros),
    deletionTimestamp: extras.deletionMicros === undefined ? undefined : isoSeconds(extras.deletionMicros),
    deletionGracePeriodSeconds: extras.deletionGraceSeconds,
    labels: podLabels(pod),
    ownerReferences: ownerReferences(pod),
  };
}

/** The pod as stored right after creation: defaulted, mutated, not yet scheduled. */
export function podCreated(pod: Pod, resourceVersion: string): unknown {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: podMetadata(pod, { resourceVersion }),
    spec: podSpec(pod, false),
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** The pod as a delete returns it: scheduled, with its deletion stamped. */
export function podDeleted(pod: Pod, extras: PodMetadataExtras, phase: 'Running' | 'Succeeded'): unknown {
  const node = pod.node;
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: podMetadata(pod, extras),
    spec: podSpec(pod, true),
    status: {
      phase,
      hostIP: node?.ip,
      hostIPs: node ? [{ ip: node.ip }] : undefined,
      podIP: pod.ip || undefined,
      podIPs: pod.ip ? [{ ip: pod.ip }] : undefined,
      startTime: pod.startedMicros > 0 ? isoSeconds(pod.startedMicros) : undefined,
      qosClass: 'Burstable',
    },
  };
}

const CONDITION_ORDER = [
  { type: 'PodReadyToStartContainers' },
  { type: 'Initialized' },
  { type: 'Ready' },
  { type: 'ContainersReady' },
  { type: 'PodScheduled' },
];

function condition(type: string, status: 'True' | 'False', at: string, notReadyOf?: string): unknown {
  return notReadyOf === undefined
    ? { lastProbeTime: null, lastTransitionTime: at, status, type }
    : {
        lastProbeTime: null,
        lastTransitionTime: at,
        message: `containers with unready status: [${notReadyOf}]`,
        reason: 'ContainersNotReady',
        status,
        type,
      };
}

export type PodStatusStage = 'creating' | 'running' | 'completed';

/** The strategic-merge patch the kubelet sends to pods/status. */
export function podStatusPatch(pod: Pod, stage: PodStatusStage, nowMicros: number): unknown {
  const at = isoSeconds(nowMicros);
  const node = pod.node as Node;
  const name = pod.deployment.name;
  const image = podImage(pod);
  if (stage === 'creating') {
    return {
      metadata: { uid: pod.uid },
      status: {
        '$setElementOrder/conditions': CONDITION_ORDER,
        conditions: [
          condition('PodReadyToStartContainers', 'False', at),
          condition('Initialized', 'True', at),
          condition('Ready', 'False', at, name),
          condition('ContainersReady', 'False', at, name),
        ],
        containerStatuses: [
          {
            image,
            imageID: '',
            lastState: {},
            name,
            ready: false,
            restartCount: 0,
            started: false,
            state: { waiting: { reason: 'ContainerCreating' } },
          },
        ],
        hostIP: node.ip,
        hostIPs: [{ ip: node.ip }],
        startTime: at,
      },
    };
  }
  const containerID = `containerd://${pod.containerId}`;
  if (stage === 'running') {
    return {
      metadata: { uid: pod.uid },
      status: {
        '$setElementOrder/conditions': CONDITION_ORDER,
        conditions: [condition('PodReadyToStartContainers', 'True', at), condition('Ready', 'True', at), condition('ContainersReady', 'True', at)],
        containerStatuses: [
          {
            containerID,
            image,
            imageID: podImageId(pod),
            lastState: {},
            name,
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: isoSeconds(pod.startedMicros) } },
          },
        ],
        phase: 'Running',
        podIP: pod.ip,
        podIPs: [{ ip: pod.ip }],
      },
    };
  }
  return {
    metadata: { uid: pod.uid },
    status: {
      '$setElementOrder/conditions': CONDITION_ORDER,
      conditions: [condition('PodReadyToStartContainers', 'False', at), condition('Ready', 'False', at, name), condition('ContainersReady', 'False', at, name)],
      containerStatuses: [
        {
          containerID,
          image,
          imageID: podImageId(pod),
          lastState: {},
          name,
          ready: false,
          restartCount: 0,
          started: false,
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: isoSeconds(pod.startedMicros),
              finishedAt: at,
              containerID,
            },
          },
        },
      ],
      phase: 'Succeeded',
    },
  };
}

export function binding(pod: Pod, node: Node): unknown {
  return {
    kind: 'Binding',
    apiVersion: 'v1',
    metadata: { name: pod.name, namespace: pod.deployment.namespace, uid: pod.uid, creationTimestamp: null },
    target: { kind: 'Node', name: node.name },
  };
}

export const STATUS_SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

export function deleteOptions(gracePeriodSeconds?: number, uid?: string): unknown {
  return {
    kind: 'DeleteOptions',
    apiVersion: 'meta.k8s.io/__internal',
    gracePeriodSeconds,
    preconditions: uid === undefined ? undefined : { uid },
    propagationPolicy: uid === undefined ? 'Background' : undefined,
  };
}

/** One revision of a Deployment: what a ReplicaSet is made from. */
export interface Revision {
  hash: string;
  uid: string;
  tag: string;
  revision: number;
}

export function currentRevision(deployment: Deployment): Revision {
  return { hash: deployment.rsHash, uid: deployment.rsUid, tag: deployment.tag, revision: deployment.revision };
}

export function replicaSet(deployment: Deployment, revision: Revision, replicas: number, resourceVersion: string, readyReplicas: number): unknown {
  const parts = revisionParts(deployment, revision.tag);
  const labels = { app: deployment.name, 'pod-template-hash': revision.hash };
  return {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: {
      name: `${deployment.name}-${revision.hash}`,
      namespace: deployment.namespace,
      uid: revision.uid,
      resourceVersion,
      generation: 1,
      labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(deployment.replicas),
        'deployment.kubernetes.io/max-replicas': String(deployment.replicas + 1),
        'deployment.kubernetes.io/revision': String(revision.revision),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment.name,
          uid: deployment.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { creationTimestamp: null, labels }, spec: parts.templateSpec },
    },
    status: { replicas: readyReplicas, readyReplicas, availableReplicas: readyReplicas, observedGeneration: 1 },
  };
}

/** What `kubectl set image` sends: a strategic-merge patch of one container image. */
export function setImagePatch(deployment: Deployment): unknown {
  return {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: deployment.name }],
          containers: [{ image: `${deployment.imageRepo}:${deployment.tag}`, name: deployment.name }],
        },
      },
    },
  };
}

export function deploymentObject(deployment: Deployment, resourceVersion: string, generation: number): unknown {
  const parts = revisionParts(deployment, deployment.tag);
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: {
      name: deployment.name,
      namespace: deployment.namespace,
      uid: deployment.uid,
      resourceVersion,
      generation,
      labels: { app: deployment.name },
      annotations: { 'deployment.kubernetes.io/revision': String(deployment.revision - 1) },
    },
    spec: {
      replicas: deployment.replicas,
      selector: { matchLabels: { app: deployment.name } },
      template: { metadata: { creationTimestamp: null, labels: { app: deployment.name } }, spec: parts.templateSpec },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: generation - 1,
      replicas: deployment.replicas,
      updatedReplicas: deployment.replicas,
      readyReplicas: deployment.replicas,
      availableReplicas: deployment.replicas,
    },
  };
}

export interface Failure {
  code: number;
  reason: string;
  message: string;
  details: Record<string, unknown>;
}

export function notFound(resource: string, name: string, group?: string): Failure {
  const qualified = group ? `${resource}.${group}` : resource;
  return {
    code: 404,
    reason: 'NotFound',
    message: `${qualified} "${name}" not found`,
    details: { name, group, kind: resource },
  };
}

export function conflict(resource: string, name: string, group?: string): Failure {
  const qualified = group ? `${resource}.${group}` : resource;
  return {
    code: 409,
    reason: 'Conflict',
    message:
      `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    details: { name, group, kind: resource },
  };
}

export const INSTANCE_TYPE = 'm6i.2xlarge';
export const NODE_GROUP = 'general';

/**
 * A Node as its kubelet registers it (`stored` false: the create body) or as the API
 * server holds it. Taints carry the autoscaler's scale-down marker when draining.
 */
export function nodeObject(node: Node, stored: { resourceVersion: string; createdMicros: number } | undefined, taints: unknown[] | undefined): unknown {
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: node.name,
      uid: stored ? node.uid : undefined,
      resourceVersion: stored?.resourceVersion,
      creationTimestamp: stored ? isoSeconds(stored.createdMicros) : null,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': INSTANCE_TYPE,
        'beta.kubernetes.io/os': 'linux',
        'eks.amazonaws.com/capacityType': 'ON_DEMAND',
        'eks.amazonaws.com/nodegroup': NODE_GROUP,
        'failure-domain.beta.kubernetes.io/region': REGION,
        'failure-domain.beta.kubernetes.io/zone': node.zone.name,
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': INSTANCE_TYPE,
        'topology.kubernetes.io/region': REGION,
        'topology.kubernetes.io/zone': node.zone.name,
      },
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': node.ip,
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { providerID: `aws:///${node.zone.name}/${node.instanceId}`, taints },
    status: {
      capacity: { cpu: '8', 'ephemeral-storage': '83873772Ki', memory: '32386524Ki', pods: '58' },
      allocatable: { cpu: '7910m', 'ephemeral-storage': '76224326324', memory: '31369692Ki', pods: '58' },
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'InternalDNS', address: node.name },
        { type: 'Hostname', address: node.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        kernelVersion: '5.10.227-219.884.amzn2.x86_64',
        osImage: 'Amazon Linux 2',
        containerRuntimeVersion: 'containerd://1.7.23',
        kubeletVersion: 'v1.31.3-eks-59bf375',
        kubeProxyVersion: 'v1.31.3-eks-59bf375',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export const NOT_READY_TAINT = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

export function scaleDownTaint(nowMicros: number): unknown {
  return { key: 'ToBeDeletedByClusterAutoscaler', value: String(Math.floor(nowMicros / 1_000_000)), effect: 'NoSchedule' };
}

/** The two-line heartbeat a kubelet patches into nodes/status every few seconds. */
export function nodeHeartbeatPatch(nowMicros: number): unknown {
  const at = isoSeconds(nowMicros);
  return {
    status: {
      '$setElementOrder/conditions': [{ type: 'MemoryPressure' }, { type: 'DiskPressure' }, { type: 'PIDPressure' }, { type: 'Ready' }],
      conditions: [
        { lastHeartbeatTime: at, type: 'MemoryPressure' },
        { lastHeartbeatTime: at, type: 'DiskPressure' },
        { lastHeartbeatTime: at, type: 'PIDPressure' },
        { lastHeartbeatTime: at, type: 'Ready' },
      ],
    },
  };
}

/** Leader-election and node-heartbeat Leases share one shape. */
export function leaseObject(
  name: string,
  namespace: string,
  holder: string,
  uid: string,
  resourceVersion: string,
  nowMicros: number,
  durationSeconds: number,
  owner?: Node,
): unknown {
  return {
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
    metadata: {
      name,
      namespace,
      uid,
      resourceVersion,
      ownerReferences: owner ? [{ apiVersion: 'v1', kind: 'Node', name: owner.name, uid: owner.uid }] : undefined,
    },
    spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, renewTime: isoMicros(nowMicros) },
  };
}

/** The EndpointSlice the endpointslice-controller maintains for a Deployment's Service. */
export function endpointSlice(deployment: Deployment, sliceName: string, sliceUid: string, resourceVersion: string): unknown {
  const endpoints = [];
  for (const pod of deployment.pods.values()) {
    if (pod.state !== 'running' && pod.state !== 'terminating') continue;
    const ready = pod.state === 'running';
    endpoints.push({
      addresses: [pod.ip],
      conditions: { ready, serving: ready, terminating: !ready },
      targetRef: { kind: 'Pod', namespace: deployment.namespace, name: pod.name, uid: pod.uid },
      nodeName: pod.node?.name,
      zone: pod.node?.zone.name,
    });
  }
  return {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: {
      name: sliceName,
      generateName: `${deployment.name}-`,
      namespace: deployment.namespace,
      uid: sliceUid,
      resourceVersion,
      labels: {
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kubernetes.io/service-name': deployment.name,
      },
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  };
}
