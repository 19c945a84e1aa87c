import type { Criticality } from '#core/config';
import type { IncidentIdentity, IncidentWorkload } from '#core/model/incident';
import { type Severity, type Signal, severityRank } from '#core/model/signal';
import type { ResolvedSignal } from './group.ts';
import { findBurst } from './burst.ts';
import { type ActorKind, actorKindOf } from './actor-kind.ts';

const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
const BASE_CONFIDENCE: Record<Severity, number> = { low: 0.3, medium: 0.5, high: 0.7, critical: 0.85 };
/** "Within minutes": a pod-side signal and cloud use of its credentials this close are one attack. */
const CHAIN_MS = 60 * 60_000;
const CLOCK_SKEW_MS = 5 * 60_000;

export interface Assessment {
  severity: Severity;
  confidence: number;
  explanation: string;
  title: string;
  /** Minutes from the first pod-side signal to the first cloud use of the pod's credentials. */
  chainMinutes?: number;
}

/** A pod-side signal: something seen in or about the pod itself (runtime, Kubernetes API). */
function isPodSide(entry: ResolvedSignal, podKey: string | undefined): boolean {
  if (entry.signal.source === 'cloudtrail') return false;
  return podKey !== undefined && entry.resolution.pods.some((pod) => pod.key === podKey);
}

function isCloudSide(entry: ResolvedSignal): boolean {
  return entry.signal.source === 'cloudtrail' && entry.resolution.viaWorkloadCredentials;
}

export function assess(
  group: ResolvedSignal[],
  podKey: string | undefined,
  workload: IncidentWorkload,
  identities: IncidentIdentity[],
  newBehaviour: string[] = [],
): Assessment {
  const signals = group.map((entry) => entry.signal);
  const top = strongest(signals);
  let severity = top.severity;
  // Many weak probes in minutes are more than the sum of their parts.
  const burst = findBurst(group);
  if (burst) severity = raise(severity, 'medium');
  // Only a pod-side signal that matters on its own starts a chain: weak context does not.
  const podSide = group.filter((entry) => isPodSide(entry, podKey) && severityRank[entry.signal.severity] >= severityRank.medium).map((entry) => entry.signal);
  const firstPodSide = podSide[0];
  const cloudAfter = firstPodSide ? group.find((entry) => isCloudSide(entry) && entry.signal.time >= firstPodSide.time - CLOCK_SKEW_MS) : undefined;
  const chainMinutes = firstPodSide && cloudAfter ? Math.max(0, Math.round((cloudAfter.signal.time - firstPodSide.time) / 60_000)) : undefined;
  if (chainMinutes !== undefined) severity = raise(severity, chainMinutes * 60_000 <= CHAIN_MS ? 'critical' : 'high');
  const unusualIps = [...new Set(identities.flatMap((identity) => identity.unusualSourceIps))];
  if (unusualIps.length > 0) severity = raise(severity, 'high');
  const criticality = (workload.namespaceCriticality ?? 'standard') as Criticality;
  if (criticality === 'critical' && severityRank[severity] >= severityRank.medium) severity = step(severity, +1);
  if (criticality === 'low') severity = step(severity, -1);

  const sources = new Set(signals.map((signal) => signal.source));
  let confidence = BASE_CONFIDENCE[severity] + 0.05 * (sources.size - 1);
  if (chainMinutes !== undefined) confidence += 0.05;
  if (unusualIps.length > 0) confidence += 0.04;
  if (criticality === 'low') confidence -= 0.1;
  const actor = actorKindOf(top, group.find((entry) => entry.signal === top)!.resolution.viaWorkloadCredentials);
  // The cluster's own controllers do many odd-looking things for good reasons.
  if (actor.kind === 'controller') confidence -= 0.1;
  confidence += Math.min(0.1, 0.05 * newBehaviour.length);
  confidence = Math.round(Math.min(0.99, Math.max(0.05, confidence)) * 100) / 100;

  const podLabel = workload.pod ? `${workload.namespace}/${workload.pod}` : undefined;
  const nsNote = workload.namespace ? ` (${criticality} namespace ${workload.namespace})` : '';
  const roleNames = identities.map((identity) => identity.roleArn.split('/').pop()).join(', ');
  const where = unusualIps.length > 0 ? ` from ${unusualIps.join(', ')}, outside the cluster's egress` : '';
  let explanation: string;
  let title: string;
  if (firstPodSide && cloudAfter && podLabel) {
    explanation =
      `${capitalize(describe(firstPodSide))} in pod ${podLabel}${nsNote} was followed within ${chainMinutes} minutes ` +
      `by API calls with the pod's role ${roleNames || 'credentials'}${where}.`;
    title = `Compromised pod ${podLabel} used its cloud credentials${unusualIps.length > 0 ? ` from ${unusualIps.join(', ')}` : ''}`;
  } else {
    const target = podLabel ? `pod ${podLabel}` : roleNames ? `role ${roleNames}` : (top.subject.actor ?? 'an unlinked principal');
    const count = signals.length === 1 ? 'one signal' : `${signals.length} signals`;
    explanation =
      `${capitalize(describe(top))} on ${target}${podLabel ? nsNote : ''}, ${count} from ${[...sources].join(' and ')}` +
      `${unusualIps.length > 0 ? `, credentials used${where}` : ''}.`;
    title = `${top.title}: ${target}`;
    if (burst && severityRank[top.severity] < severityRank.medium) {
      explanation =
        `${burst.count} refused or discovery calls by ${burst.actor} within ${burst.minutes} minutes, ` +
        `${count} from ${[...sources].join(' and ')} on ${target}${podLabel ? nsNote : ''}.`;
      title = `Probing burst by ${burst.actor}${podLabel ? `: pod ${podLabel}` : ''}`;
    }
  }
  const why = reasons(actor, criticality, workload.namespace, newBehaviour);
  if (why.length > 0) explanation += ` ${capitalize(why.join('; '))}.`;
  return { severity, confidence, explanation, title, chainMinutes };
}

const ENVIRONMENT: Partial<Record<Criticality, string>> = { critical: 'production', high: 'production', low: 'dev/test' };

/** What raised or lowered the confidence beyond the signals themselves. */
function reasons(actor: { kind: ActorKind; name?: string }, criticality: Criticality, namespace: string | null, newBehaviour: string[]): string[] {
  const why: string[] = [];
  if (actor.kind === 'person') why.push(`a person acted${actor.name ? ` (${actor.name})` : ''}, not a controller`);
  if (actor.kind === 'controller') why.push(`the actor is the cluster's own controller ${actor.name}, which lowers confidence`);
  if (actor.kind === 'anonymous') why.push('the caller was not authenticated');
  const environment = ENVIRONMENT[criticality];
  if (namespace && environment) why.push(`namespace ${namespace} is ${environment}${criticality === 'low' ? ', which lowers severity and confidence' : ''}`);
  return [...why, ...newBehaviour.map((fact) => `first seen: ${fact}`)];
}

export function strongest(signals: Signal[]): Signal {
  return signals.reduce((best, signal) => (severityRank[signal.severity] > severityRank[best.severity] ? signal : best));
}

function describe(signal: Signal): string {
  if (signal.source === 'guardduty') {
    // "GuardDuty Execution:Runtime/ReverseShell" reads as "GuardDuty reverse shell".
    const family = signal.title.split('/')[1]?.split(/[.!]/)[0] ?? signal.title;
    return `GuardDuty ${family.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
  }
  return signal.title.charAt(0).toLowerCase() + signal.title.slice(1);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function raise(severity: Severity, floor: Severity): Severity {
  return severityRank[floor] > severityRank[severity] ? floor : severity;
}

function step(severity: Severity, by: number): Severity {
  return SEVERITIES[Math.min(3, Math.max(0, severityRank[severity] - 1 + by))]!;
}
