import { KUBELET_AGENT, auditLine, kubeletUser, type AuditRequest, type ObjectRef } from './audit.ts';
import type { Node, Pod } from './cluster-model.ts';
import { NOT_READY_TAINT, deleteOptions, leaseObject, nodeHeartbeatPatch, nodeObject, podDeleted, podStatusPatch, type PodStatusStage } from './k8s-objects.ts';
import { fieldSelector, watchTimeout, watchUri, type World } from './world.ts';

/**
 * What a kubelet (system:node:NAME, allowed by the Node authorizer, hence an empty RBAC
 * reason) asks of the API server: heartbeats, its pods' status, and the secrets,
 * configmaps and tokens its own pods mount - never anyone else's.
 */

type Body = Omit<AuditRequest, 'user' | 'sourceIp' | 'userAgent' | 'reason'>;

function kubelet(world: World, node: Node, now: number, request: Body): string {
  return auditLine(world.rng, now, {
    ...request,
    user: kubeletUser(world.account, node),
    sourceIp: node.ip,
    userAgent: KUBELET_AGENT,
    reason: '',
  });
}

const leaseRef = (node: Node): ObjectRef => ({
  resource: 'leases',
  namespace: 'kube-node-lease',
  name: node.name,
  apiGroup: 'coordination.k8s.io',
  apiVersion: 'v1',
});

/** Every ~10s per node in reality; the background mix samples them. */
export function leaseRenew(world: World, node: Node, now: number): string {
  const body = (rv: string) => leaseObject(node.name, 'kube-node-lease', node.name, node.leaseUid, rv, now, 40, node);
  return kubelet(world, node, now, {
    level: 'RequestResponse',
    verb: 'update',
    uri: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node.name}?timeout=10s`,
    objectRef: leaseRef(node),
    code: 200,
    requestObject: body(world.model.currentResourceVersion()),
    responseObject: body(world.model.nextResourceVersion()),
  });
}

export function leaseCreate(world: World, node: Node, now: number): string {
  const rv = world.model.nextResourceVersion();
  const lease = leaseObject(node.name, 'kube-node-lease', node.name, node.leaseUid, rv, now, 40, node);
  return kubelet(world, node, now, {
    level: 'RequestResponse',
    verb: 'create',
    uri: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?timeout=10s',
    objectRef: { ...leaseRef(node), name: undefined },
    code: 201,
    requestObject: lease,
    responseObject: lease,
  });
}

export function nodeHeartbeat(world: World, node: Node, now: number): string {
  return kubelet(world, node, now, {
    level: 'Request',
    verb: 'patch',
    uri: `/api/v1/nodes/${node.name}/status?timeout=10s`,
    objectRef: { resource: 'nodes', name: node.name, apiVersion: 'v1', subresource: 'status' },
    code: 200,
    requestObject: nodeHeartbeatPatch(now),
  });
}

export function registerNode(world: World, node: Node, now: number): string {
  return kubelet(world, node, now, {
    level: 'RequestResponse',
    verb: 'create',
    uri: '/api/v1/nodes',
    objectRef: { resource: 'nodes', name: node.name, apiVersion: 'v1' },
    code: 201,
    requestObject: nodeObject(node, undefined, [NOT_READY_TAINT]),
    responseObject: nodeObject(node, { resourceVersion: world.model.nextResourceVersion(), createdMicros: now }, [NOT_READY_TAINT]),
  });
}

/** Long-running watches: the kubelet's pods, its own Node, or one mounted Secret/ConfigMap. */
export function kubeletWatch(world: World, node: Node, now: number): string {
  const timeout = watchTimeout(world);
  const choice = world.rng.int(4);
  const pod = node.pods.at(world.rng.int(node.pods.size));
  if (choice === 0 || !pod) {
    return kubelet(world, node, now, {
      level: 'Request',
      verb: 'watch',
      uri: watchUri(world, '/api/v1/pods', timeout, fieldSelector(`spec.nodeName=${node.name}`)),
      objectRef: { resource: 'pods', apiVersion: 'v1' },
      code: 200,
      durationMicros: timeout * 1_000_000,
    });
  }
  if (choice === 1) {
    return kubelet(world, node, now, {
      level: 'Request',
      verb: 'watch',
      uri: watchUri(world, '/api/v1/nodes', timeout, fieldSelector(`metadata.name=${node.name}`)),
      objectRef: { resource: 'nodes', apiVersion: 'v1' },
      code: 200,
      durationMicros: timeout * 1_000_000,
    });
  }
  const { namespace, secretName, configMapName } = pod.deployment;
  const resource = choice === 2 && secretName ? 'secrets' : 'configmaps';
  const name = resource === 'secrets' ? secretName : (configMapName ?? 'kube-root-ca.crt');
  return kubelet(world, node, now, {
    level: 'Metadata',
    verb: 'watch',
    uri: watchUri(world, `/api/v1/namespaces/${namespace}/${resource}`, timeout, fieldSelector(`metadata.name=${name}`)),
    objectRef: { resource, namespace, apiVersion: 'v1' },
    code: 200,
    durationMicros: timeout * 1_000_000,
  });
}

/** TokenRequest for a projected service-account token (audience sts.amazonaws.com for IRSA). */
export function tokenRequest(world: World, pod: Pod, now: number): string {
  const node = pod.node as Node;
  const { namespace, serviceAccount } = pod.deployment;
  return kubelet(world, node, now, {
    level: 'Metadata',
    verb: 'create',
    uri: `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
    objectRef: { resource: 'serviceaccounts', namespace, name: serviceAccount, apiVersion: 'v1', subresource: 'token' },
    code: 201,
    annotations: { 'authentication.kubernetes.io/issued-credential-id': `JTI=${world.rng.uuid()}` },
  });
}

/** A single GET of a Secret or ConfigMap the pod mounts, when the pod starts. */
export function getMounted(world: World, pod: Pod, resource: 'secrets' | 'configmaps', name: string, now: number): string {
  const node = pod.node as Node;
  const namespace = pod.deployment.namespace;
  return kubelet(world, node, now, {
    level: 'Metadata',
    verb: 'get',
    uri: `/api/v1/namespaces/${namespace}/${resource}/${name}`,
    objectRef: { resource, namespace, name, apiVersion: 'v1' },
    code: 200,
  });
}

export function podStatus(world: World, pod: Pod, stage: PodStatusStage, now: number): string {
  const node = pod.node as Node;
  const namespace = pod.deployment.namespace;
  return kubelet(world, node, now, {
    level: 'Request',
    verb: 'patch',
    uri: `/api/v1/namespaces/${namespace}/pods/${pod.name}/status`,
    objectRef: { resource: 'pods', namespace, name: pod.name, apiVersion: 'v1', subresource: 'status' },
    code: 200,
    requestObject: podStatusPatch(pod, stage, now),
  });
}

/** After the containers stopped, the kubelet removes the pod object for good. */
export function finalDelete(world: World, pod: Pod, now: number, deletionMicros: number): string {
  const node = pod.node as Node;
  const namespace = pod.deployment.namespace;
  return kubelet(world, node, now, {
    level: 'RequestResponse',
    verb: 'delete',
    uri: `/api/v1/namespaces/${namespace}/pods/${pod.name}`,
    objectRef: { resource: 'pods', namespace, name: pod.name, apiVersion: 'v1' },
    code: 200,
    requestObject: deleteOptions(0, pod.uid),
    responseObject: podDeleted(pod, { resourceVersion: world.model.nextResourceVersion(), deletionMicros, deletionGraceSeconds: 0 }, 'Succeeded'),
  });
}
