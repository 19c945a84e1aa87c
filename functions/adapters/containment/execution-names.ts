import { createHash } from 'node:crypto';

/** Step Functions execution names: 1-80 characters from letters, digits, - and _. */
const MAX_NAME = 80;
const DIGEST_CHARS = 8;

/** The incident's first execution is named after it: a second start of it finds it exists. */
export function executionName(incidentId: string): string {
  return incidentId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_NAME);
}

/**
 * A revision is named after the incident and the actions it adds (their actionKey), so a
 * redelivered batch that would add the same actions finds it exists and does nothing twice.
 */
export function revisionName(incidentId: string, actionKeys: readonly string[]): string {
  const digest = createHash('sha256')
    .update([...actionKeys].sort().join('\n'))
    .digest('hex')
    .slice(0, DIGEST_CHARS);
  return `${executionName(incidentId).slice(0, MAX_NAME - DIGEST_CHARS - 1)}-${digest}`;
}
