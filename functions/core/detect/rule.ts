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

/**
 * The CloudTrail records a detection reads, declared next to its match function. The deployed
 * EventBridge rules forward the union of every declaration and nothing else
 * (lib/cloudtrail-pattern.ts), so a call left out here never reaches the rule.
 */
export interface CloudTrailWatch {
  /**
   * Calls read by name, as `eventSource:eventName` (`iam.amazonaws.com:CreateAccessKey`). A
   * trailing `*` admits any name with that prefix, for calls CloudTrail names with an API version
   * (`UpdateFunctionCode20150331v2`); only for prefixes that admit rare calls alone.
   */
  calls?: readonly string[];
  /** Every mutating call (CloudTrail's `readOnly: false`) of any service. */
  writes?: true;
  /** Every call of any service refused for lack of permission. */
  refusals?: true;
  /** Every call the account's root user makes. */
  root?: true;
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
  /** What the rule reads of CloudTrail; CloudTrail rules only. */
  watches?: E extends CloudTrailEvent ? CloudTrailWatch : never;
  match(event: E): RuleMatch | undefined;
  /**
   * Whether a record with this dispatch key (see dispatchKey) can match at all: false only for
   * keys `match` never matches, so that detect shows each record only to the rules that may
   * match it. Absent: any record of the rule's source may match.
   */
  canMatch?(key: string): boolean;
}

/** What most rules test first, and detect dispatches on: CloudTrail's `eventSource:eventName`, an audit event's resource ('' for none). */
export function dispatchKey(event: SecurityEvent): string {
  switch (event.source) {
    case 'eks-audit':
      return event.objectRef?.resource ?? '';
    case 'cloudtrail':
      return `${event.eventSource}:${event.eventName}`;
    case 'guardduty':
    case 'inspector':
      return '';
  }
}

export type AnyRule = Rule<AuditEvent> | Rule<CloudTrailEvent> | Rule<GuardDutyFinding>;

export function defineRule<S extends Source>(rule: Rule<Extract<SecurityEvent, { source: S }>>) {
  return rule;
}

/** A rule threw on a record: the record is set aside, and whoever fixes the rule needs its name. */
export class RuleFailed extends Error {
  constructor(
    readonly ruleId: string,
    cause: unknown,
  ) {
    super(`rule ${ruleId} failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : 'a value that is not an Error was thrown'}`, { cause });
    this.name = 'RuleFailed';
  }
}

/** Summaries quote records (names, commands, parameters): an alert line, not a copy of the record. */
export const MAX_SUMMARY_CHARS = 1000;

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
    summary: match.summary.length > MAX_SUMMARY_CHARS ? `${match.summary.slice(0, MAX_SUMMARY_CHARS - 1)}…` : match.summary,
    severity: match.severity ?? rule.severity,
    objective: match.objective ?? rule.objective,
    subject: match.subject,
    evidence: event.raw,
  };
}
