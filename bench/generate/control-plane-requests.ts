import { CONTROL_PLANE_IPS, auditLine, type AuditRequest, type ControllerIdentity } from './audit.ts';
import type { Deployment, Node, Pod } from './cluster-model.ts';
import {
  STATUS_SUCCESS,
  binding,
  conflict,
  currentRevision,
  deleteOptions,
  deploymentObject,
  endpointSlice,
  leaseObject,
  nodeObject,
  notFound,
  podCreateRequest,
  podCreated,
  podDeleted,
  replicaSet,
  scaleDownTaint,
  type Revision,
} from './k8s-objects.ts';
import { watchTimeout, watchUri, type World } from './world.ts';

/**
 * Requests from the control plane (kube-controller-manager's controllers, the
 * scheduler, the cloud controller) and from in-cluster add-ons (CoreDNS, kube-proxy,
 * the VPC CNI, the cluster autoscaler).
 */

type Body = Omit<AuditRequest, 'user' | 'sourceIp' | 'userAgent' | 'reason'>;

function controlPlane(world: World, actor: ControllerIdentity, now: number, body: Body): string {
  return auditLine(world.rng, now, {
    ...body,
    user: actor.user,
    sourceIp: world.rng.pick(CONTROL_PLANE_IPS),
    userAgent: actor.userAgent,
    reason: actor.reason,
  });
}

function fromPod(world: World, actor: ControllerIdentity, deployment: Deployment, now: number, body: Body): string {
  return auditLine(world.rng, now, {
    ...body,
    user: actor.user,
    sourceIp: podIp(deployment),
    userAgent: actor.userAgent,
    reason: actor.reason,
  });
}

/** The address an add-on's requests come from: one of its running pods. */
function podIp(deployment: Deployment): string {
  for (const pod of deployment.pods.values()) if (pod.state === 'running') return pod.ip;
  return deployment.pods.at(0)?.ip || '10.0.0.10';
}

const podRef = (pod: Pod, subresource?: string) => ({
  resource: 'pods',
  namespace: pod.deployment.namespace,
  name: pod.name,
  apiVersion: 'v1',
  subresource,
});

// ---- Pods ------------------------------------------------------------------------------------

export function createPod(world: World, pod: Pod, now: number): string {
  const namespace = pod.deployment.namespace;
  const mutated = pod.deployment.irsaRole !== undefined;
  return controlPlane(world, world.actors.replicaset, now, {
    level: 'RequestResponse',
    verb: 'create',
    uri: `/api/v1/namespaces/${namespace}/pods`,
    objectRef: { resource: 'pods', namespace, apiVersion: 'v1' },
    code: 201,
    requestObject: podCreateRequest(pod),
    responseObject: podCreated(pod, world.model.nextResourceVersion()),
    durationMicros: 8_000 + world.rng.int(20_000),
    annotations: {
      // The EKS pod identity webhook injects AWS_ROLE_ARN and the token volume for IRSA.
      'mutation.webhook.admission.k8s.io/round_0_index_0': `{"configuration":"pod-identity-webhook","webhook":"iam-for-pods.amazonaws.com","mutated":${mutated}}`,
      'pod-security.kubernetes.io/enforce-policy': 'baseline:latest',
    },
  });
}

export function deletePod(world: World, pod: Pod, now: number): string {
  return controlPlane(world, world.actors.replicaset, now, {
    level: 'RequestResponse',
    verb: 'delete',
    uri: `/api/v1/namespaces/${pod.deployment.namespace}/pods/${pod.name}`,
    objectRef: podRef(pod),
    code: 200,
    requestObject: deleteOptions(),
    responseObject: podDeleted(
      pod,
      { resourceVersion: world.model.nextResourceVersion(), deletionMicros: now + 30_000_000, deletionGraceSeconds: 30 },
      'Running',
    ),
  });
}

export function bindPod(world: World, pod: Pod, node: Node, now: number): string {
  return controlPlane(world, world.actors.scheduler, now, {
    level: 'RequestResponse',
    verb: 'create',
    uri: `/api/v1/namespaces/${pod.deployment.namespace}/pods/${pod.name}/binding`,
    objectRef: podRef(pod, 'binding'),
    code: 201,
    requestObject: binding(pod, node),
    responseObject: STATUS_SUCCESS,
  });
}

/** The autoscaler drains a node it scales down through the Eviction API. */
export function evictPod(world: World, pod: Pod, now: number): string {
  const autoscaler = world.model.clusterAutoscaler;
  return fromPod(world, world.actors.autoscaler, autoscaler, now, {
    level: 'RequestResponse',
    verb: 'create',
    uri: `/api/v1/namespaces/${pod.deployment.namespace}/pods/${pod.name}/eviction`,
    objectRef: podRef(pod, 'eviction'),
    code: 201,
    statusSuccess: true,
    requestObject: {
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: pod.name, namespace: pod.deployment.namespace, creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 30 },
    },
    responseObject: STATUS_SUCCESS,
  });
}

/** The garbage collector double-checks an owner that is already gone: a normal 404. */
export function getDeletedPod(world: World, now: number): string | undefined {
  const gone = world.model.recentlyDeletedPod();
  if (!gone) return undefined;
  return controlPlane(world, world.actors.garbageCollector, now, {
    level: 'Request',
    verb: 'get',
    uri: `/api/v1/namespaces/${gone.namespace}/pods/${gone.name}`,
    objectRef: { resource: 'pods', namespace: gone.namespace, name: gone.name, apiVersion: 'v1' },
    failure: notFound('pods', gone.name),
  });
}

// ---- Deployments and ReplicaSets --------------------------------------------------------------

const rsRef = (deployment: Deployment, hash: string, subresource?: string) => ({
  resource: 'replicasets',
  namespace: deployment.namespace,
  name: `${deployment.name}-${hash}`,
  apiGroup: 'apps',
  apiVersion: 'v1',
  subresource,
});

export function createReplicaSet(world: World, deployment: Deployment, now: number): string {
  const revision = currentRevision(deployment);
  const rs = replicaSet(deployment, revision, 0, world.model.nextResourceVersion(), 0);
  return controlPlane(world, world.actors.deployment, now, {
    level: 'RequestResponse',
    verb: 'create',
    uri: `/apis/apps/v1/namespaces/${deployment.namespace}/replicasets`,
    objectRef: { ...rsRef(deployment, revision.hash), name: undefined },
    code: 201,
    requestObject: rs,
    responseObject: rs,
  });
}

/** The deployment-controller moves one replica from the old ReplicaSet to the new one. */
export function scaleReplicaSet(world: World, deployment: Deployment, revision: Revision, replicas: number, now: number): string {
  const previous = replicaSet(deployment, revision, replicas, world.model.currentResourceVersion(), replicas);
  return controlPlane(world, world.actors.deployment, now, {
    level: 'RequestResponse',
    verb: 'update',
    uri: `/apis/apps/v1/namespaces/${deployment.namespace}/replicasets/${deployment.name}-${revision.hash}`,
    objectRef: rsRef(deployment, revision.hash),
    code: 200,
    requestObject: previous,
    responseObject: replicaSet(deployment, revision, replicas, world.model.nextResourceVersion(), replicas),
  });
}

export function replicaSetStatus(world: World, deployment: Deployment, now: number): string {
  const revision = currentRevision(deployment);
  const ready = deployment.pods.size;
  const conflicted = world.rng.chance(0.04);
  return controlPlane(world, world.actors.replicaset, now, {
    level: 'RequestResponse',
    verb: 'update',
    uri: `/apis/apps/v1/namespaces/${deployment.namespace}/replicasets/${deployment.name}-${revision.hash}/status`,
    objectRef: rsRef(deployment, revision.hash, 'status'),
    code: 200,
    failure: conflicted ? conflict('replicasets', `${deployment.name}-${revision.hash}`, 'apps') : undefined,
    requestObject: replicaSet(deployment, revision, deployment.replicas, world.model.currentResourceVersion(), ready),
    responseObject: conflicted ? undefined : replicaSet(deployment, revision, deployment.replicas, world.model.nextResourceVersion(), ready),
  });
}

export function deploymentStatus(world: World, deployment: Deployment, now: number, generation: number): string {
  return controlPlane(world, world.actors.deployment, now, {
    level: 'RequestResponse',
    verb: 'update',
    uri: `/apis/apps/v1/namespaces/${deployment.namespace}/deployments/${deployment.name}/status`,
    objectRef: {
      resource: 'deployments',
      namespace: deployment.namespace,
      name: deployment.name,
      apiGroup: 'apps',
      apiVersion: 'v1',
      subresource: 'status',
    },
    code: 200,
    requestObject: deploymentObject(deployment, world.model.currentResourceVersion(), generation),
    responseObject: deploymentObject(deployment, world.model.nextResourceVersion(), generation),
  });
}

// ---- EndpointSlices ------------------------------------------------------------------------------

const slices = new WeakMap<Deployment, { name: string; uid: string }>();

function sliceOf(world: World, deployment: Deployment): { name: string; uid: string } {
  let slice = slices.get(deployment);
  if (!slice) {
    slice = { name: `${deployment.name}-${world.rng.chars('bcdfghjklmnpqrstvwxz2456789', 5)}`, uid: world.rng.uuid() };
    slices.set(deployment, slice);
  }
  return slice;
}

/** Pods became ready or went away; ~5% of updates lose a race and get a 409. */
export function updateEndpointSlice(world: World, deployment: Deployment, now: number): string {
  const slice = sliceOf(world, deployment);
  const conflicted = world.rng.chance(0.05);
  return controlPlane(world, world.actors.endpointslice, now, {
    level: 'RequestResponse',
    verb: 'update',
    uri: `/apis/discovery.k8s.io/v1/namespaces/${deployment.namespace}/endpointslices/${slice.name}`,
    objectRef: {
      resource: 'endpointslices',
      namespace: deployment.namespace,
      name: slice.name,
      apiGroup: 'discovery.k8s.io',
      apiVersion: 'v1',
    },
    code: 200,
    failure: conflicted ? conflict('endpointslices', slice.name, 'discovery.k8s.io') : undefined,
    requestObject: endpointSlice(deployment, slice.name, slice.uid, world.model.currentResourceVersion()),
    responseObject: conflicted ? undefined : endpointSlice(deployment, slice.name, slice.uid, world.model.nextResourceVersion()),
  });
}

// ---- Informers and leader election -----------------------------------------------------------------

const CONTROLLER_WATCHES: readonly (readonly [string, string, string?])[] = [
  ['/api/v1/pods', 'pods'],
  ['/api/v1/nodes', 'nodes'],
  ['/api/v1/services', 'services'],
  ['/api/v1/namespaces', 'namespaces'],
  ['/api/v1/serviceaccounts', 'serviceaccounts'],
  ['/apis/apps/v1/replicasets', 'replicasets', 'apps'],
  ['/apis/apps/v1/deployments', 'deployments', 'apps'],
  ['/apis/apps/v1/daemonsets', 'daemonsets', 'apps'],
  ['/apis/discovery.k8s.io/v1/endpointslices', 'endpointslices', 'discovery.k8s.io'],
  ['/apis/batch/v1/jobs', 'jobs', 'batch'],
];

/** kube-controller-manager's shared informers re-establish their cluster-wide watches. */
export function controllerWatch(world: World, now: number): string {
  const [path, resource, apiGroup] = world.rng.pick(CONTROLLER_WATCHES);
  const timeout = watchTimeout(world);
  return controlPlane(world, world.actors.controllerManager, now, {
    level: 'Request',
    verb: 'watch',
    uri: watchUri(world, path, timeout),
    objectRef: { resource, apiGroup, apiVersion: 'v1' },
    code: 200,
    durationMicros: timeout * 1_000_000,
  });
}

const leaseRef = (namespace: string, name: string) => ({
  resource: 'leases',
  namespace,
  name,
  apiGroup: 'coordination.k8s.io',
  apiVersion: 'v1',
});

interface LeaderLease {
  name: string;
  actor: (world: World) => ControllerIdentity;
  uid: string;
  duration: number;
}

const leaderLeases = new WeakMap<World, LeaderLease[]>();

function leasesOf(world: World): LeaderLease[] {
  let leases = leaderLeases.get(world);
  if (!leases) {
    leases = [
      { name: 'kube-controller-manager', actor: (w) => w.actors.controllerManager, uid: world.rng.uuid(), duration: 15 },
      { name: 'kube-scheduler', actor: (w) => w.actors.scheduler, uid: world.rng.uuid(), duration: 15 },
      { name: 'cloud-controller-manager', actor: (w) => w.actors.cloudController, uid: world.rng.uuid(), duration: 15 },
    ];
    leaderLeases.set(world, leases);
  }
  return leases;
}

/** Control-plane leader election renewals, every ~2s each in reality; sampled. */
export function leaderLeaseRenew(world: World, now: number): string {
  const lease = world.rng.pick(leasesOf(world));
  const actor = lease.actor(world);
  const host = `ip-172-16-${world.rng.intBetween(40, 41)}-${world.rng.intBetween(10, 12)}.ec2.internal`;
  const holder = `${host}_${lease.uid.slice(0, 8)}`;
  const body = (resourceVersion: string) => leaseObject(lease.name, 'kube-system', holder, lease.uid, resourceVersion, now, lease.duration);
  return controlPlane(world, actor, now, {
    level: 'RequestResponse',
    verb: 'update',
    uri: `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease.name}?timeout=5s`,
    objectRef: leaseRef('kube-system', lease.name),
    code: 200,
    requestObject: body(world.model.currentResourceVersion()),
    responseObject: body(world.model.nextResourceVersion()),
  });
}

// ---- Add-ons ----------------------------------------------------------------------------------------

const COREDNS_WATCHES: readonly (readonly [string, string, string?])[] = [
  ['/apis/discovery.k8s.io/v1/endpointslices', 'endpointslices', 'discovery.k8s.io'],
  ['/api/v1/services', 'services'],
  ['/api/v1/namespaces', 'namespaces'],
];

/** CoreDNS follows Services and EndpointSlices cluster-wide (list once, then watch). */
export function corednsRequest(world: World, now: number): string {
  const [path, resource, apiGroup] = world.rng.pick(COREDNS_WATCHES);
  const coredns = world.model.coreDns;
  if (world.rng.chance(0.1)) {
    return fromPod(world, world.actors.coredns, coredns, now, {
      level: 'Request',
      verb: 'list',
      uri: `${path}?limit=500&resourceVersion=0`,
      objectRef: { resource, apiGroup, apiVersion: 'v1' },
      code: 200,
    });
  }
  const timeout = watchTimeout(world);
  return fromPod(world, world.actors.coredns, coredns, now, {
    level: 'Request',
    verb: 'watch',
    uri: watchUri(world, path, timeout),
    objectRef: { resource, apiGroup, apiVersion: 'v1' },
    code: 200,
    durationMicros: timeout * 1_000_000,
  });
}

/** kube-proxy (host network on every node) watches Services and EndpointSlices. */
export function kubeProxyWatch(world: World, node: Node, now: number): string {
  const slicesWatch = world.rng.chance(0.5);
  const timeout = watchTimeout(world);
  const path = slicesWatch ? '/apis/discovery.k8s.io/v1/endpointslices' : '/api/v1/services';
  return auditLine(world.rng, now, {
    level: 'Request',
    verb: 'watch',
    uri: watchUri(world, path, timeout, '&labelSelector=%21service.kubernetes.io%2Fheadless%2C%21service.kubernetes.io%2Fservice-proxy-name'),
    user: world.actors.kubeProxy.user,
    sourceIp: node.ip,
    userAgent: world.actors.kubeProxy.userAgent,
    objectRef: slicesWatch ? { resource: 'endpointslices', apiGroup: 'discovery.k8s.io', apiVersion: 'v1' } : { resource: 'services', apiVersion: 'v1' },
    code: 200,
    reason: world.actors.kubeProxy.reason,
    durationMicros: timeout * 1_000_000,
  });
}

/** The VPC CNI daemon reads its own Node object. */
export function awsNodeGetNode(world: World, node: Node, now: number): string {
  return auditLine(world.rng, now, {
    level: 'Request',
    verb: 'get',
    uri: `/api/v1/nodes/${node.name}`,
    user: world.actors.awsNode.user,
    sourceIp: node.ip,
    userAgent: world.actors.awsNode.userAgent,
    objectRef: { resource: 'nodes', name: node.name, apiVersion: 'v1' },
    code: 200,
    reason: world.actors.awsNode.reason,
  });
}

/** The autoscaler's loop: its status ConfigMap, and listing pods and nodes. */
export function autoscalerLoop(world: World, now: number): string {
  const autoscaler = world.model.clusterAutoscaler;
  const actor = world.actors.autoscaler;
  const pick = world.rng.int(3);
  if (pick === 0) {
    return fromPod(world, actor, autoscaler, now, {
      level: 'Metadata',
      verb: 'update',
      uri: '/api/v1/namespaces/kube-system/configmaps/cluster-autoscaler-status',
      objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'cluster-autoscaler-status', apiVersion: 'v1' },
      code: 200,
    });
  }
  const resource = pick === 1 ? 'pods' : 'nodes';
  return fromPod(world, actor, autoscaler, now, {
    level: 'Request',
    verb: 'list',
    uri: `/api/v1/${resource}?limit=500&resourceVersion=0`,
    objectRef: { resource, apiVersion: 'v1' },
    code: 200,
  });
}

// ---- Node lifecycle -----------------------------------------------------------------------------------

/** Scale-down starts by tainting the node so nothing new lands there. */
export function taintForScaleDown(world: World, node: Node, now: number, createdMicros: number): string {
  const before = nodeObject(node, { resourceVersion: world.model.currentResourceVersion(), createdMicros }, undefined);
  const after = nodeObject(node, { resourceVersion: world.model.nextResourceVersion(), createdMicros }, [scaleDownTaint(now)]);
  return fromPod(world, world.actors.autoscaler, world.model.clusterAutoscaler, now, {
    level: 'RequestResponse',
    verb: 'update',
    uri: `/api/v1/nodes/${node.name}`,
    objectRef: { resource: 'nodes', name: node.name, apiVersion: 'v1' },
    code: 200,
    requestObject: before,
    responseObject: after,
  });
}

/** Once the instance is gone, the cloud node-lifecycle controller deletes the Node. */
export function deleteNode(world: World, node: Node, now: number): string {
  return controlPlane(world, world.actors.cloudController, now, {
    level: 'RequestResponse',
    verb: 'delete',
    uri: `/api/v1/nodes/${node.name}`,
    objectRef: { resource: 'nodes', name: node.name, apiVersion: 'v1' },
    code: 200,
    requestObject: deleteOptions(),
    responseObject: nodeDeletedStatus(node),
  });
}

function nodeDeletedStatus(node: Node): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: node.name, kind: 'nodes', uid: node.uid },
  };
}

/** The garbage collector removes the deleted node's heartbeat Lease (owned by the Node). */
export function deleteNodeLease(world: World, node: Node, now: number): string {
  return controlPlane(world, world.actors.garbageCollector, now, {
    level: 'RequestResponse',
    verb: 'delete',
    uri: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node.name}`,
    objectRef: leaseRef('kube-node-lease', node.name),
    code: 200,
    requestObject: {
      kind: 'DeleteOptions',
      apiVersion: 'meta.k8s.io/__internal',
      preconditions: { uid: node.leaseUid },
      propagationPolicy: 'Background',
    },
    responseObject: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: node.name, group: 'coordination.k8s.io', kind: 'leases', uid: node.leaseUid },
    },
  });
}
