import { createHash } from 'node:crypto';

/**
 * Panther's rule tests are hand-made: their authors leave out the fields their own rule does not
 * read (an audit event's auditID and timestamps, a CloudTrail record's eventID and eventTime).
 * Production records always carry them, so the eval fills them in, the same way every run, rather
 * than drop the record. Only fields that identify or date a record, or an empty actor, are filled:
 * what a rule judges (verb, eventSource, the actor's identity) is never invented, and a record
 * without it is still rejected and scored as not flagged.
 */
export interface Completion {
  record: Record<string, unknown>;
  /** The fields filled in, for the listing. */
  completed: string[];
}

/** A fixed instant for a test event that carries no time: no rule reads the clock. */
const UNDATED = '2024-01-01T00:00:00Z';

const HAND_MADE = new Set(['eks-audit/panther-analysis_rule-tests.jsonl', 'cloudtrail/panther-analysis_rule-tests.jsonl']);

export function completeTestEvent(file: string, line: number, record: Record<string, unknown>): Completion {
  const name = file.split('/').slice(-2).join('/');
  if (!HAND_MADE.has(name)) return { record, completed: [] };
  const id = deterministicId(`${name}:${line}`);
  const filled: Record<string, unknown> = {};
  if (name.startsWith('eks-audit/')) {
    if (record.auditID === undefined) filled.auditID = id;
    const stamp = ['requestReceivedTimestamp', 'stageTimestamp', 'timestamp'].some((field) => record[field] !== undefined);
    if (!stamp) filled.requestReceivedTimestamp = UNDATED;
    if (record.stage === undefined) filled.stage = 'ResponseComplete';
    if (record.user === undefined) filled.user = {};
  } else {
    if (record.eventID === undefined) filled.eventID = id;
    if (record.eventTime === undefined) filled.eventTime = UNDATED;
    if (record.userIdentity === undefined) filled.userIdentity = {};
  }
  return { record: { ...record, ...filled }, completed: Object.keys(filled) };
}

/** A UUID-shaped id derived from where the record is, so every run completes it alike. */
function deterministicId(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
