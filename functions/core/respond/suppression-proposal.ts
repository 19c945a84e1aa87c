import type { Incident, IncidentSignal } from '#core/model/incident';
import { severityRank } from '#core/model/signal';
import type { ProposedSuppression } from './response.ts';

/** A proposed suppression lasts a month: long enough to fix the cause, short enough to be looked at again. */
export const SUPPRESSION_DAYS = 30;

/**
 * The suppression a dismissal suggests: the rule that fired most (ties: the more severe, then the
 * earlier), scoped as narrowly as the incident allows so it silences this false positive, not the
 * rule. Every field must match for a suppression to apply (correlate/suppress.ts), so each is
 * named only where the rule's signals carry it: the role only for CloudTrail signals, and the
 * image by the reference pods run (a bare digest is never compared there).
 */
export function proposeSuppression(incident: Incident, now: Date): ProposedSuppression {
  const signals = signalsOfTopRule(incident.signals);
  const roles = [...new Set(incident.identities.map((identity) => identity.roleArn))];
  const scope: ProposedSuppression['scope'] = {};
  if (incident.workload.namespace) scope.namespace = incident.workload.namespace;
  if (incident.workload.image) scope.image = incident.workload.image;
  if (roles.length === 1 && signals.every((signal) => signal.source === 'cloudtrail')) scope.roleArn = roles[0];
  return { rule: signals[0]!.rule, scope, expiresAt: new Date(now.getTime() + SUPPRESSION_DAYS * 86400_000).toISOString() };
}

function signalsOfTopRule(signals: readonly IncidentSignal[]): IncidentSignal[] {
  const byRule = new Map<string, IncidentSignal[]>();
  for (const signal of signals) byRule.set(signal.rule, [...(byRule.get(signal.rule) ?? []), signal]);
  const ranked = [...byRule.values()].sort(
    (a, b) =>
      b.length - a.length ||
      highest(b) - highest(a) ||
      earliest(a).localeCompare(earliest(b)) ||
      a[0]!.rule.localeCompare(b[0]!.rule),
  );
  if (!ranked[0]) throw new Error('an incident without signals has no rule to suppress');
  return ranked[0];
}

function highest(signals: readonly IncidentSignal[]): number {
  return Math.max(...signals.map((signal) => severityRank[signal.severity]));
}

function earliest(signals: readonly IncidentSignal[]): string {
  return signals.map((signal) => signal.time).sort()[0]!;
}
