import { type Config, namespaceCriticality } from '#core/config';
import { type GraphNode, type GraphView, keyParts, nodeKey } from '#core/model/graph';
import type { IncidentWorkload } from '#core/model/incident';
import type { ResolvedSignal } from './group.ts';

/** The pod the group is most about: named directly beats reachable through shared credentials. */
export function primaryPodOf(group: ResolvedSignal[]): string | undefined {
  const weights = new Map<string, number>();
  for (const { resolution } of group) {
    for (const pod of resolution.pods) weights.set(pod.key, (weights.get(pod.key) ?? 0) + pod.weight);
  }
  let best: string | undefined;
  for (const [key, weight] of weights) {
    const bestWeight = best ? weights.get(best)! : -1;
    if (weight > bestWeight || (weight === bestWeight && key < best!)) best = key;
  }
  return best;
}

export function workloadOf(podKey: string | undefined, group: ResolvedSignal[], graph: GraphView, config: Config): IncidentWorkload {
  const pod = podKey ? graph.get(podKey) : undefined;
  const [cluster, namespace, podName] = podKey ? keyParts(podKey) : [];
  const subjects = group.map((entry) => entry.signal.subject);
  const fromSubjects = (pick: (subject: (typeof subjects)[number]) => string | undefined) => subjects.map(pick).find((value) => value !== undefined) ?? null;
  const resolvedNode = group.flatMap((entry) => entry.resolution.nodes)[0];
  // An acting service account's namespace is the workload's; the namespace it acted on is not.
  const ns = namespace ?? fromSubjects((subject) => subject.serviceAccount?.split('/')[0] ?? subject.namespace);
  const serviceAccount = attr(pod, 'serviceAccount');
  const ownerKind = attr(pod, 'ownerKind');
  const node = attr(pod, 'node') ?? (resolvedNode ? keyParts(resolvedNode)[1]! : null) ?? nodeOfInstance(group, graph);
  return {
    cluster: cluster ?? fromSubjects((subject) => subject.cluster) ?? (resolvedNode ? keyParts(resolvedNode)[0]! : null),
    namespace: ns,
    namespaceCriticality: ns ? namespaceCriticality(config, ns) : null,
    pod: podName ?? null,
    owner: ownerKind ? `${ownerKind}/${attr(pod, 'ownerName')}` : null,
    serviceAccount: serviceAccount ?? fromSubjects((subject) => subject.serviceAccount?.split('/')[1]),
    image: attr(pod, 'image') ?? fromSubjects((subject) => subject.image),
    imageDigest: attr(pod, 'imageDigest') ?? fromSubjects((subject) => subject.imageDigest),
    node,
  };
}

function nodeOfInstance(group: ResolvedSignal[], graph: GraphView): string | null {
  for (const { signal } of group) {
    if (!signal.subject.instanceId) continue;
    const node = Object.keys(graph.get(nodeKey.instance(signal.subject.instanceId))?.edges ?? {}).find((key) => key.startsWith('node|'));
    if (node) return keyParts(node)[1]!;
  }
  return null;
}

export function attr(node: GraphNode | undefined, name: string): string | null {
  const value = node?.attrs[name]?.value;
  return value === undefined || value === '' ? null : String(value);
}
