import { type GraphNode, type GraphView, keyParts, nodeKey } from '#core/model/graph';
import type { Signal } from '#core/model/signal';
import { parseServiceAccountUser } from '#core/model/arn';
import { DERIVED_FROM, credentialLineage } from '#core/model/credential-lineage';

/** Where a signal lands in the identity graph. */
export interface Resolution {
  /** Pods the signal is about, strongest first: named directly, or reachable through its credentials. */
  pods: { key: string; weight: number }[];
  /** Role sessions behind the signal's credentials. */
  sessions: string[];
  /** Kubernetes nodes whose instance credentials are involved. */
  nodes: string[];
  /** Keys that join signals into one incident when they share any of them: this pod, this session. */
  anchors: string[];
  /**
   * Keys of shared identities (a service account's role binding, a workload, a candidate pod of
   * several): they join signals strong enough to matter, but not weak context on its own.
   */
  broadAnchors: string[];
  /** True when the credentials were handed to a workload (IRSA, Pod Identity, instance role). */
  viaWorkloadCredentials: boolean;
}

/** Per correlation run: the pods behind each IRSA binding, which many signals ask for. */
export type ResolveMemo = Map<string, string[]>;

export function resolveSignal(signal: Signal, graph: GraphView, memo: ResolveMemo = new Map()): Resolution {
  const resolution: Resolution = { pods: [], sessions: [], nodes: [], anchors: [], broadAnchors: [], viaWorkloadCredentials: false };
  const { subject } = signal;
  if (subject.pod && subject.cluster && subject.namespace) {
    addPod(resolution, nodeKey.pod(subject.cluster, subject.namespace, subject.pod), 3, graph);
  }
  if (subject.accessKeyId) resolveCredentials(resolution, subject.accessKeyId, graph, memo);
  // A kubelet reached through nodes/proxy, or a node named by the finding: the node is part of the story.
  if (subject.node && subject.cluster) addNode(resolution, nodeKey.node(subject.cluster, subject.node));
  if (subject.instanceId) {
    for (const target of edgesOf(graph.get(nodeKey.instance(subject.instanceId)), 'node|')) addNode(resolution, target);
  }
  // A record naming several resources (a GuardDuty attack sequence): each further one lands as the first did.
  for (const pod of subject.alsoNamed?.pods ?? []) addPod(resolution, nodeKey.pod(pod.cluster, pod.namespace, pod.name), 3, graph);
  for (const accessKeyId of subject.alsoNamed?.accessKeyIds ?? []) resolveCredentials(resolution, accessKeyId, graph, memo);
  for (const instanceId of subject.alsoNamed?.instanceIds ?? []) {
    for (const target of edgesOf(graph.get(nodeKey.instance(instanceId)), 'node|')) addNode(resolution, target);
  }
  // The acting service account is the suspect only when the signal is not about a target pod.
  const account = subject.actor && !subject.pod ? parseServiceAccountUser(subject.actor) : undefined;
  if (account && subject.cluster) {
    const serviceAccount = nodeKey.serviceAccount(subject.cluster, account.namespace, account.name);
    resolution.anchors.push(`principal|${subject.actor}`);
    if (!isSharedIdentity(account.name)) resolution.broadAnchors.push(serviceAccount);
    // A bound token names its pod; else the caller's pod IP does, when the graph knows it.
    if (subject.actorPod) addPod(resolution, nodeKey.pod(subject.cluster, account.namespace, subject.actorPod), 2, graph);
    // A token another pod requested for this service account leads back to that pod, wherever it is used from.
    if (subject.credentialId) {
      for (const pod of edgesOf(graph.get(nodeKey.credential(subject.cluster, subject.credentialId)), 'pod|')) addPod(resolution, pod, 2, graph);
    }
    const byIp = subject.sourceIp ? edgesOf(graph.get(nodeKey.podIp(subject.cluster, subject.sourceIp)), 'pod|') : [];
    for (const pod of byIp) {
      if (graph.get(pod)?.attrs.serviceAccount?.value === account.name) addPod(resolution, pod, 2, graph);
    }
  }
  if (resolution.anchors.length === 0 && resolution.broadAnchors.length === 0) {
    resolution.anchors.push(`principal|${subject.actor ?? subject.roleArn ?? subject.sourceIp ?? signal.id}`);
  }
  return resolution;
}

function resolveCredentials(resolution: Resolution, accessKeyId: string, graph: GraphView, memo: ResolveMemo): void {
  const keyNode = graph.get(nodeKey.accessKey(accessKeyId));
  // A key created by a linked session, or a session token an IAM user key obtained, leads back to that credential.
  const derivedFrom = keyNode?.attrs[DERIVED_FROM]?.value;
  const sessions = typeof derivedFrom === 'string' ? [derivedFrom] : edgesOf(keyNode, 'session|');
  for (const start of sessions) {
    // A chained session (and the key that made it) leads back, step by step, to the session a pod or node was issued.
    for (const { key, node } of credentialLineage(start, graph)) {
      if (!key.startsWith('session|')) continue;
      resolution.sessions.push(key);
      resolution.anchors.push(key);
      resolveIssuedSession(resolution, node, graph, memo);
    }
  }
}

function resolveIssuedSession(resolution: Resolution, session: GraphNode | undefined, graph: GraphView, memo: ResolveMemo): void {
  const via = session?.attrs.via?.value;
  if (via === 'irsa') {
    resolution.viaWorkloadCredentials = true;
    for (const binding of edgesOf(session, 'webidentity|')) {
      resolution.broadAnchors.push(binding);
      // IRSA does not say which replica took the token: each pod running when the session was
      // issued is a candidate, certain only if alone.
      const issuedAt = Number(session!.attrs.issuedAt?.value ?? Number.NaN);
      const pods = podsOf(binding, graph, memo).filter((pod) => !deletedBefore(graph.get(pod), issuedAt));
      for (const pod of pods) addPod(resolution, pod, 1 / pods.length, graph, pods.length === 1);
    }
  } else if (via === 'pod-identity') {
    resolution.viaWorkloadCredentials = true;
    for (const pod of edgesOf(session, 'pod|')) addPod(resolution, pod, 2, graph);
  } else if (via === 'instance-role') {
    resolution.viaWorkloadCredentials = true;
    for (const instance of edgesOf(session, 'instance|')) {
      for (const node of edgesOf(graph.get(instance), 'node|')) addNode(resolution, node);
    }
  }
}

function podsOf(binding: string, graph: GraphView, memo: ResolveMemo): string[] {
  let pods = memo.get(binding);
  if (!pods) {
    pods = edgesOf(graph.get(binding), 'pod|');
    memo.set(binding, pods);
  }
  return pods;
}

function deletedBefore(pod: GraphNode | undefined, time: number): boolean {
  const deleted = pod?.attrs.deleted;
  return deleted?.value === true && deleted.time < time;
}

function addPod(resolution: Resolution, pod: string, weight: number, graph: GraphView, certain = true): void {
  const existing = resolution.pods.find((entry) => entry.key === pod);
  if (existing) existing.weight += weight;
  else resolution.pods.push({ key: pod, weight });
  (certain ? resolution.anchors : resolution.broadAnchors).push(pod);
  const node = graph.get(pod);
  const [cluster, namespace] = keyParts(pod);
  const serviceAccount = node?.attrs.serviceAccount?.value;
  if (typeof serviceAccount === 'string' && !isSharedIdentity(serviceAccount)) {
    resolution.broadAnchors.push(nodeKey.serviceAccount(cluster!, namespace!, serviceAccount));
  }
  for (const binding of edgesOf(node, 'webidentity|')) resolution.broadAnchors.push(binding);
  // Replicas of one workload run the same image and spec: their signals are one story.
  for (const workload of edgesOf(node, 'workload|')) resolution.broadAnchors.push(workload);
}

function addNode(resolution: Resolution, node: string): void {
  if (!resolution.nodes.includes(node)) resolution.nodes.push(node);
  resolution.anchors.push(node);
}

export function edgesOf(node: GraphNode | undefined, prefix: string): string[] {
  if (!node) return [];
  const targets: string[] = [];
  for (const target in node.edges) if (target.startsWith(prefix)) targets.push(target);
  return targets.sort();
}

/** Every pod of a namespace without its own service account runs as `default`: sharing it links nothing. */
function isSharedIdentity(serviceAccount: string): boolean {
  return serviceAccount === 'default';
}
