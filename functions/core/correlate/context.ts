import { type GraphView, keyParts, nodeKey } from '#core/model/graph';
import { parseRoleArn } from '#core/model/arn';
import type { BlastRadius, IncidentIdentity, IncidentWorkload } from '#core/model/incident';
import { edgesOf } from './resolve.ts';
import { attr } from './workload.ts';

/** Changes this long before the first signal are still "what changed recently". */
const CHANGE_LOOKBACK_MS = 7 * 24 * 3600_000;

export function whatChangedAround(
  podKey: string | undefined,
  identities: IncidentIdentity[],
  graph: GraphView,
  window: { first: number; last: number },
): { time: number; description: string }[] {
  const pod = podKey ? graph.get(podKey) : undefined;
  const roles = identities
    .map((identity) => parseRoleArn(identity.roleArn))
    .filter((role) => role !== undefined)
    .map((role) => graph.get(nodeKey.role(role.accountId, role.roleName)));
  const sources = [pod, ...edgesOf(pod, 'workload|').map((key) => graph.get(key)), ...edgesOf(pod, 'sa|').map((key) => graph.get(key)), ...roles];
  const changes: { time: number; description: string }[] = [];
  for (const node of sources) {
    for (const [description, time] of Object.entries(node?.changes ?? {})) {
      if (time >= window.first - CHANGE_LOOKBACK_MS && time <= window.last) changes.push({ time, description });
    }
  }
  return changes.sort((a, b) => a.time - b.time || a.description.localeCompare(b.description));
}

export function blastRadiusOf(
  podKey: string | undefined,
  workload: IncidentWorkload,
  identities: IncidentIdentity[],
  hostAtRisk: boolean,
  graph: GraphView,
): BlastRadius {
  const pod = podKey ? graph.get(podKey) : undefined;
  const others = (keys: string[]) => [...new Set(keys)].filter((key) => key !== podKey && graph.get(key)?.attrs.deleted?.value !== true).map(podLabel);
  const sameServiceAccount = others([
    ...edgesOf(pod, 'sa|').flatMap((key) => edgesOf(graph.get(key), 'pod|')),
    ...edgesOf(pod, 'webidentity|').flatMap((key) => edgesOf(graph.get(key), 'pod|')),
  ]);
  const sameImage = others(edgesOf(pod, 'image|').flatMap((key) => edgesOf(graph.get(key), 'pod|')));
  const podsOnNode = hostAtRisk && workload.cluster && workload.node ? podsThatCouldReadNodeCredentials(workload.cluster, workload.node, podKey, graph) : [];
  const notes: string[] = [];
  if (identities.length > 0) {
    notes.push(
      `What ${identities.map((identity) => identity.roleArn.split('/').pop()).join(', ')} may do is read from IAM by the deployed stack; a local replay has no IAM access.`,
    );
  }
  if (sameServiceAccount.length > 0) {
    notes.push(
      identities.length > 0
        ? `${sameServiceAccount.length} other pod(s) run as the same service account and role: revoking all of the role's sessions would stop them too.`
        : `${sameServiceAccount.length} other pod(s) run as the same service account.`,
    );
  }
  return { rolePermissions: [], sameServiceAccountPods: sameServiceAccount, sameImagePods: sameImage, podsOnNode, notes };
}

/** Host-network, privileged and hostPath pods reach instance metadata most easily: listed first. */
function podsThatCouldReadNodeCredentials(cluster: string, node: string, except: string | undefined, graph: GraphView) {
  const entries = edgesOf(graph.get(nodeKey.node(cluster, node)), 'pod|')
    .filter((key) => key !== except && graph.get(key)?.attrs.deleted?.value !== true)
    .map((key) => {
      const pod = graph.get(key);
      const reasons = [
        pod?.attrs.hostNetwork?.value === true && 'hostNetwork',
        pod?.attrs.privileged?.value === true && 'privileged',
        attr(pod, 'hostPath') && `hostPath ${attr(pod, 'hostPath')}`,
      ].filter((reason): reason is string => Boolean(reason));
      return { pod: podLabel(key), reason: reasons.length > 0 ? reasons.join(', ') : 'runs on the node (IMDS reachable unless blocked)', rank: reasons.length };
    });
  return entries.sort((a, b) => b.rank - a.rank || a.pod.localeCompare(b.pod)).map(({ pod, reason }) => ({ pod, reason }));
}

function podLabel(key: string): string {
  const [cluster, namespace, name] = keyParts(key);
  return `${cluster}/${namespace}/${name}`;
}
