import type { ZodError } from 'zod';
import type { RejectionCode } from '#core/model/event';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '#core/model/json';
import { sanitize } from '#core/detect/actors';

/** Reasons end up in logs, dead-letter attributes and the replay's output: one short printable line. */
export const MAX_REASON_CHARS = 300;

/** A record the normalizer set aside; carries the reason a person can act on and a code for machines. */
export class RecordRejected extends Error {
  readonly reason: string;

  constructor(
    reason: string,
    readonly code?: RejectionCode,
  ) {
    const bounded = boundedReason(reason);
    super(bounded);
    this.reason = bounded;
    this.name = 'RecordRejected';
  }
}

/** Reasons quote the record (names, timestamps, keys): attacker text, so bounded and printable. */
export function boundedReason(text: string): string {
  return sanitize(text, MAX_REASON_CHARS - 1);
}

/**
 * Any failure on one record as that record's rejection: a RecordRejected says why itself,
 * anything else is a fault of pivotguard's own that this record exposed.
 */
export function rejectionOf(error: unknown): { code: RejectionCode; reason: string } {
  if (error instanceof RecordRejected) return { code: error.code ?? 'invalid-field', reason: error.reason };
  const what = error instanceof Error ? `${error.name}: ${error.message}` : 'a value that is not an Error was thrown';
  return { code: 'internal-error', reason: boundedReason(`internal error: ${what}`) };
}

/** Refuses a record nested past MAX_JSON_DEPTH before anything that recurses (validation, evidence, stores) walks it. */
export function rejectTooDeep(what: string, record: unknown): void {
  if (nestsDeeperThan(record, MAX_JSON_DEPTH)) {
    throw new RecordRejected(`${what}: objects and arrays nested more than ${MAX_JSON_DEPTH} levels deep`, 'too-deep');
  }
}

/** Names the first failing field and what is wrong with it, e.g. `eventTime: required`. */
export function describeZodError(prefix: string, error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `${prefix}: invalid`;
  const path = issue.path.length > 0 ? issue.path.join('.') : '(record)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${prefix} ${path}: ${issue.message}${more}`;
}
