import type { Config } from '#core/config';
import { accountOf } from '#core/model/arn';
import { type GraphView, keyParts } from '#core/model/graph';
import type { IncidentIdentity } from '#core/model/incident';
import { egressReason, isWorkloadSession } from '#core/detect/index';
import type { ResolvedSignal } from './group.ts';
import { edgesOf } from './resolve.ts';
import { attr } from './workload.ts';
import { credentialLineage, rootSessionOf } from '#core/model/credential-lineage';

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
  const tiedKeys = new Set<string>();
  const addSession = (sessionKey: string, chainedFromTied: boolean): void => {
    const session = graph.get(sessionKey);
    const roleArn = attr(session, 'roleArn') ?? `arn:aws:iam::${keyParts(sessionKey)[0]}:role/${keyParts(sessionKey)[1]}`;
    let identity = byRole.get(roleArn);
    if (!identity) {
      const accountId = accountOf(roleArn);
      const accountAlias = accountId ? config.accountAliases[accountId] : undefined;
      identity = {
        roleArn,
        ...(accountId ? { accountId } : {}),
        ...(accountAlias ? { accountAlias } : {}),
        via: attr(session, 'via') ?? 'observed',
        ...lineageOf(sessionKey, graph),
        sessions: [],
        tiedSessions: [],
        egressSources: [],
        accessKeyIds: [],
        sourceIps: [],
        unusualSourceIps: [],
      };
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
        if (!judgeAddresses) continue;
        const reason = egressReason(ip, graph, config, keyParts(sessionKey)[0]);
        if (reason === undefined) {
          usedFromOutside = true;
          if (!identity.unusualSourceIps.includes(ip)) identity.unusualSourceIps.push(ip);
        } else if (!identity.egressSources!.some((known) => known.source === ip)) identity.egressSources!.push({ source: ip, reason });
      }
    }
    if (implicated.has(sessionKey) || issuedToThePod.has(sessionKey) || usedFromOutside || chainedFromTied) {
      tiedKeys.add(sessionKey);
      identity.tiedSessions!.push(sessionName);
    }
  };
  // Sessions with signals first: they are the ones to revoke.
  const ordered = [...sessions].sort((a, b) => Number(implicated.has(b)) - Number(implicated.has(a)) || a.localeCompare(b));
  for (const sessionKey of ordered) addSession(sessionKey, false);
  // A session chained from one of these hands its holder another role: the attacker's, when the session it came from is.
  let frontier = ordered;
  for (let depth = 0; depth < MAX_CHAIN && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const parent of frontier) {
      for (const child of edgesOf(graph.get(parent), 'session|')) {
        if (sessions.has(child)) continue;
        sessions.add(child);
        addSession(child, tiedKeys.has(parent));
        next.push(child);
      }
    }
    frontier = next;
  }
  return [...byRole.values()];
}

/** How many chaining steps from the story's sessions are followed. */
const MAX_CHAIN = 8;

/** For a chained role, the role it was assumed from; whether the sessions carry Pod Identity's pod tags. */
function lineageOf(sessionKey: string, graph: GraphView): Pick<IncidentIdentity, 'chainedFrom' | 'podTags'> {
  const lineage = credentialLineage(sessionKey, graph);
  const facts: Pick<IncidentIdentity, 'chainedFrom' | 'podTags'> = {};
  const parent = lineage.slice(1).find((entry) => entry.key.startsWith('session|'));
  const parentRole = attr(parent?.node, 'roleArn');
  if (parentRole) facts.chainedFrom = parentRole;
  const root = rootSessionOf(sessionKey, graph)?.node;
  if (attr(root, 'via') === 'pod-identity') facts.podTags = root?.attrs.podTags?.value !== false;
  return facts;
}
