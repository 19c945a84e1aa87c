import { createHash } from 'node:crypto';
import type { Config } from '#core/config';
import type { GraphView } from '#core/model/graph';
import type { Incident, IncidentSignal } from '#core/model/incident';
import { type Signal, severityRank } from '#core/model/signal';
import { isClusterEgress } from '#core/detect/index';
import { accountOf } from '#core/model/arn';
import { planContainment } from '#core/respond/plan';
import { clusterEgressOf } from '#core/deployment-network';
import { type ResolvedSignal, groupSignals } from './group.ts';
import { type ResolveMemo, resolveSignal } from './resolve.ts';
import { findSuppression, scopeOf } from './suppress.ts';
import { primaryPodOf, workloadOf } from './workload.ts';
import { identitiesOf } from './identities.ts';
import { blastRadiusOf, whatChangedAround } from './context.ts';
import { assess } from './score.ts';
import { findBurst } from './burst.ts';
import { newBehaviourOf } from './novelty.ts';
import { incidentImageOf } from './image.ts';

/** One group of signals, open or not, as settling needs it. */
export interface SignalGroup {
  signalIds: string[];
  lastTime: number;
  incidentId?: string;
  /** Weak signals only: context that opened no incident. */
  contextOnly: boolean;
}

export interface CorrelationResult {
  incidents: Incident[];
  groups: SignalGroup[];
  /** Graph-dependent signals the final graph no longer supports (the address turned out to be egress). */
  retracted: { id: string; time: number }[];
  /** Signals set aside by a suppression: recorded and counted, never lost. */
  suppressed: { signal: string; rule: string; reason: string; owner: string }[];
  /** Groups of weak signals that did not make an incident on their own. */
  contextOnlyGroups: number;
}

const TECHNIQUE_ESCAPE = 'T1611';

/**
 * The correlate stage: signals to incidents. A pure function of the signal set and the graph,
 * so the same records give the same incidents in any order and under duplicate delivery.
 */
export function correlate(signals: readonly Signal[], graph: GraphView, config: Config): CorrelationResult {
  const retracted: CorrelationResult['retracted'] = [];
  const resolved: ResolvedSignal[] = [];
  const suppressed: CorrelationResult['suppressed'] = [];
  const memo: ResolveMemo = new Map();
  for (const signal of signals) {
    if (
      signal.recheck === 'outside-egress' &&
      signal.subject.sourceIp &&
      isClusterEgress(signal.subject.sourceIp, graph, config, accountOf(signal.subject.roleArn))
    ) {
      retracted.push({ id: signal.id, time: signal.time });
      continue;
    }
    const resolution = resolveSignal(signal, graph, memo);
    const suppression = findSuppression(signal, scopeOf(signal, resolution, graph), config.suppressions);
    if (suppression) suppressed.push({ signal: signal.id, rule: signal.rule, reason: suppression.reason, owner: suppression.owner });
    resolved.push({ signal, resolution, suppressedBy: suppression?.reason });
  }
  const incidents: Incident[] = [];
  const groups: SignalGroup[] = [];
  let contextOnlyGroups = 0;
  for (const group of groupSignals(resolved, config.windowHours * 3600_000)) {
    const active = group.filter((entry) => !entry.suppressedBy);
    // Weak signals alone are context: they enrich incidents but never open one.
    const strong = active.some((entry) => severityRank[entry.signal.severity] >= severityRank.medium) || findBurst(active) !== undefined;
    const incident = strong ? buildIncident(active, group.length - active.length, graph, config) : undefined;
    const contextOnly = !incident && active.length > 0;
    if (incident) incidents.push(incident);
    else if (contextOnly) contextOnlyGroups++;
    groups.push({ signalIds: group.map((entry) => entry.signal.id), lastTime: group[group.length - 1]!.signal.time, incidentId: incident?.id, contextOnly });
  }
  incidents.sort(compareIncidents);
  return { incidents, groups, retracted, suppressed, contextOnlyGroups };
}

/** Most severe first, then oldest first. */
export function compareIncidents(a: Incident, b: Incident): number {
  return severityRank[b.severity] - severityRank[a.severity] || a.firstSeen.localeCompare(b.firstSeen) || a.id.localeCompare(b.id);
}

function buildIncident(group: ResolvedSignal[], suppressedSignals: number, graph: GraphView, config: Config): Incident | undefined {
  const first = group[0]!.signal.time;
  const last = group[group.length - 1]!.signal.time;
  const podKey = primaryPodOf(group);
  const workload = workloadOf(podKey, group, graph, config);
  const identities = identitiesOf(group, podKey, graph, config, { first, last });
  const newBehaviour = newBehaviourOf(
    group.map((entry) => entry.signal),
    graph,
  );
  const assessment = assess(group, podKey, workload, identities, newBehaviour);
  // A low-criticality namespace can bring a medium group below the bar.
  if (severityRank[assessment.severity] < severityRank.medium) return undefined;
  const hostAtRisk =
    group.some((entry) => entry.signal.objective.technique.startsWith(TECHNIQUE_ESCAPE)) || identities.some((identity) => identity.via === 'instance-role');
  const pod = podKey ? graph.get(podKey) : undefined;
  const image = incidentImageOf(
    podKey,
    workload,
    group.map((entry) => entry.signal),
    graph,
    config,
  );
  return {
    id: `inc-${createHash('sha1').update(group[0]!.signal.id).digest('hex').slice(0, 12)}`,
    title: assessment.title,
    severity: assessment.severity,
    confidence: assessment.confidence,
    explanation: assessment.explanation,
    firstSeen: iso(first),
    lastSeen: iso(last),
    objectives: distinctObjectives(group),
    workload,
    identities,
    signals: group.map(({ signal }) => toIncidentSignal(signal)),
    newBehaviour,
    whatChanged: whatChangedAround(podKey, identities, graph, { first, last }).map((change) => ({ time: iso(change.time), description: change.description })),
    blastRadius: blastRadiusOf(podKey, workload, identities, hostAtRisk, graph),
    plan: planContainment(
      {
        workload,
        identities,
        hostAtRisk,
        podStillRunning: pod?.attrs.deleted?.value !== true,
        egress: clusterEgressOf(workload.cluster, config),
        ...(image ? { image } : {}),
      },
      config,
    ),
    suppressedSignals,
    ...(image ? { image } : {}),
  };
}

function distinctObjectives(group: ResolvedSignal[]) {
  const seen = new Map<string, { tactic: string; technique: string }>();
  for (const { signal } of group) {
    const key = `${signal.objective.tactic}|${signal.objective.technique}`;
    if (!seen.has(key) && signal.objective.tactic !== 'Unmapped') seen.set(key, { ...signal.objective });
  }
  return [...seen.values()];
}

function toIncidentSignal(signal: Signal): IncidentSignal {
  return {
    id: signal.id,
    source: signal.source,
    rule: signal.rule,
    title: signal.title,
    severity: signal.severity,
    time: iso(signal.time),
    eventId: signal.eventId,
    summary: signal.summary,
    objective: signal.objective,
  };
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

/**
 * The part of a correlation that can no longer change: groups whose last signal is older than
 * `before` (a window behind the newest event). Their signals can be forgotten.
 */
export type SettledPart = ReturnType<typeof settledPart>;

export function settledPart(result: CorrelationResult, before: number) {
  const closed = result.groups.filter((group) => group.lastTime < before);
  const closedIds = new Set(closed.flatMap((group) => group.signalIds));
  const incidentIds = new Set(closed.map((group) => group.incidentId));
  const retracted = result.retracted.filter((signal) => signal.time < before);
  return {
    incidents: result.incidents.filter((incident) => incidentIds.has(incident.id)),
    suppressed: result.suppressed.filter((entry) => closedIds.has(entry.signal)),
    contextOnlyGroups: closed.filter((group) => group.contextOnly).length,
    retracted: retracted.length,
    signalIds: [...closedIds, ...retracted.map((signal) => signal.id)],
  };
}
