import type { Incident, IncidentSignal } from '#core/model/incident';
import { severityRank } from '#core/model/signal';
import type { ProposedSuppression } from './response.ts';

/** A proposed suppression lasts a month: long enough to fix the cause, short enough to be looked at again. */
export const SUPPRESSION_DAYS = 30;

/** The rule pattern that matches every rule (correlate/suppress.ts): the whole workload is expected to behave so. */
export const EVERY_RULE = '*';

/**
 * The suppression a dismissal suggests: one that keeps this incident from opening again, scoped
 * as narrowly as that allows. Every field must match for a suppression to apply
 * (correlate/suppress.ts), and an incident is as severe as its strongest signal and what ties
 * its signals together (a pod-side signal followed by cloud use of the pod's credentials), so
 * suppressing one rule among several leaves the incident standing:
 *
 * - one rule behind every signal: that rule, in the incident's namespace and image (and its role
 *   for CloudTrail signals);
 * - several rules on a workload: every rule, for that namespace and image only;
 * - several rules on a role alone (CloudTrail): every rule, for that role only;
 * - nothing to scope by: the incident's strongest rule, the narrowest entry that still says what to look at.
 */
export function proposeSuppression(incident: Incident, now: Date): ProposedSuppression {
  if (incident.signals.length === 0) throw new Error('an incident without signals has no rule to suppress');
  const expiresAt = new Date(now.getTime() + SUPPRESSION_DAYS * 86400_000).toISOString();
  const rules = new Set(incident.signals.map((signal) => signal.rule));
  const roles = [...new Set(incident.identities.map((identity) => identity.roleArn))];
  const onlyCloudTrail = incident.signals.every((signal) => signal.source === 'cloudtrail');
  const workload: ProposedSuppression['scope'] = {};
  if (incident.workload.namespace) workload.namespace = incident.workload.namespace;
  if (incident.workload.image) workload.image = incident.workload.image;
  const role = roles.length === 1 && onlyCloudTrail ? roles[0] : undefined;

  if (rules.size === 1) return { rule: [...rules][0]!, scope: { ...workload, ...(role ? { roleArn: role } : {}) }, expiresAt };
  // The role is left out of a workload's scope: pod-side signals carry no role and would escape it.
  if (Object.keys(workload).length > 0) return { rule: EVERY_RULE, scope: workload, expiresAt };
  if (role) return { rule: EVERY_RULE, scope: { roleArn: role }, expiresAt };
  return { rule: strongestRule(incident.signals), scope: {}, expiresAt };
}

/** The rule of the most severe signal (ties: the more frequent, then the earlier). */
function strongestRule(signals: readonly IncidentSignal[]): string {
  const byRule = new Map<string, IncidentSignal[]>();
  for (const signal of signals) byRule.set(signal.rule, [...(byRule.get(signal.rule) ?? []), signal]);
  const ranked = [...byRule.values()].sort(
    (a, b) => highest(b) - highest(a) || b.length - a.length || earliest(a).localeCompare(earliest(b)) || a[0]!.rule.localeCompare(b[0]!.rule),
  );
  return ranked[0]![0]!.rule;
}

function highest(signals: readonly IncidentSignal[]): number {
  return Math.max(...signals.map((signal) => severityRank[signal.severity]));
}

function earliest(signals: readonly IncidentSignal[]): string {
  return signals.map((signal) => signal.time).sort()[0]!;
}
