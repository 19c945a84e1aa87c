import type { Config } from '#core/config';
import { type GraphView, keyParts } from '#core/model/graph';
import type { IncidentIdentity } from '#core/model/incident';
import { isClusterEgress, isWorkloadSession } from '#core/detect/index';
import type { ResolvedSignal } from './group.ts';
import { edgesOf } from './resolve.ts';
import { attr } from './workload.ts';

/** How long before the first signal a session may have been issued and still belong to the story. */
const SESSION_LOOKBACK_MS = 12 * 3600_000;

/**
 * The identity chain: every role session behind the group's signals, plus the sessions issued
 * to the primary pod's identity around the incident, each with its keys and addresses.
 */
export function identitiesOf(
  group: ResolvedSignal[],
  podKey: string | undefined,
  graph: GraphView,
  config: Config,
  window: { first: number; last: number },
): IncidentIdentity[] {
  const implicated = new Set(group.flatMap((entry) => entry.resolution.sessions));
  const sessions = new Set(implicated);
  const pod = podKey ? graph.get(podKey) : undefined;
  const issuedToThePod = new Set(edgesOf(pod, 'session|'));
  const issuedToPod = [...issuedToThePod, ...edgesOf(pod, 'webidentity|').flatMap((binding) => edgesOf(graph.get(binding), 'session|'))];
  for (const session of issuedToPod) {
    const issuedAt = Number(graph.get(session)?.attrs.issuedAt?.value ?? NaN);
    if (issuedAt >= window.first - SESSION_LOOKBACK_MS && issuedAt <= window.last) sessions.add(session);
  }
  const byRole = new Map<string, IncidentIdentity>();
  // Sessions with signals first: they are the ones to revoke.
  const ordered = [...sessions].sort((a, b) => Number(implicated.has(b)) - Number(implicated.has(a)) || a.localeCompare(b));
  for (const sessionKey of ordered) {
    const session = graph.get(sessionKey);
    const roleArn = attr(session, 'roleArn') ?? `arn:aws:iam::${keyParts(sessionKey)[0]}:role/${keyParts(sessionKey)[1]}`;
    let identity = byRole.get(roleArn);
    if (!identity) {
      identity = { roleArn, via: attr(session, 'via') ?? 'observed', sessions: [], tiedSessions: [], accessKeyIds: [], sourceIps: [], unusualSourceIps: [] };
      byRole.set(roleArn, identity);
    }
    const sessionName = attr(session, 'sessionName') ?? keyParts(sessionKey)[2]!;
    identity.sessions.push(sessionName);
    let usedFromOutside = false;
    const judgeAddresses = isWorkloadSession(session, graph);
    for (const key of edgesOf(session, 'key|')) {
      const accessKeyId = keyParts(key)[0]!;
      if (!identity.accessKeyIds.includes(accessKeyId)) identity.accessKeyIds.push(accessKeyId);
      for (const ip of edgesOf(graph.get(key), 'ip|').map((target) => target.slice(3))) {
        if (!identity.sourceIps.includes(ip)) identity.sourceIps.push(ip);
        if (judgeAddresses && !isClusterEgress(ip, graph, config)) {
          usedFromOutside = true;
          if (!identity.unusualSourceIps.includes(ip)) identity.unusualSourceIps.push(ip);
        }
      }
    }
    if (implicated.has(sessionKey) || issuedToThePod.has(sessionKey) || usedFromOutside) identity.tiedSessions!.push(sessionName);
  }
  return [...byRole.values()];
}
