import { createHash } from 'node:crypto';
import type { AuditEvent, CloudTrailEvent, GuardDutyFinding, SecurityEvent, Source } from '#core/model/event';
import type { Objective, Severity, Signal, SignalSubject } from '#core/model/signal';

export interface RuleMatch {
  summary: string;
  /** Overrides the rule's title where the record names itself (a GuardDuty finding type). */
  title?: string;
  subject: SignalSubject;
  /** Overrides the rule's default when the record itself says more (e.g. cluster-wide). */
  severity?: Severity;
  objective?: Objective;
}

/** A detection over one record. Rules are data-light: they read the event, never the store. */
export interface Rule<E extends SecurityEvent = SecurityEvent> {
  id: string;
  title: string;
  /** The invariant the rule watches, in one line. */
  description: string;
  source: E['source'];
  objective: Objective;
  severity: Severity;
  match(event: E): RuleMatch | undefined;
}

export type AnyRule = Rule<AuditEvent> | Rule<CloudTrailEvent> | Rule<GuardDutyFinding>;

export function defineRule<S extends Source>(rule: Rule<Extract<SecurityEvent, { source: S }>>) {
  return rule;
}

export function signalId(...parts: (string | number)[]): string {
  return `sig-${createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 20)}`;
}

export function toSignal(rule: Pick<Rule, 'id' | 'title' | 'severity' | 'objective'>, event: SecurityEvent, match: RuleMatch): Signal {
  return {
    // CloudTrail event ids are unique per record, but some exports reuse them; time keeps them apart.
    id: signalId(rule.id, event.source, event.eventId, event.time),
    rule: rule.id,
    title: match.title ?? rule.title,
    source: event.source,
    time: event.time,
    eventId: event.eventId,
    summary: match.summary,
    severity: match.severity ?? rule.severity,
    objective: match.objective ?? rule.objective,
    subject: match.subject,
    evidence: event.raw,
  };
}
