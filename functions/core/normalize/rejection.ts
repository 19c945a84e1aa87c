import type { ZodError } from 'zod';

/** A record the normalizer set aside; carries the reason a person can act on. */
export class RecordRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RecordRejected';
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
