import type { ContainmentAction, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from './action.ts';

/**
 * What people and pivotguard did about one incident, kept apart from the incident itself
 * (which the analyzer rewrites as signals arrive): lifecycle, approvals, every containment step
 * with its undo, and the timestamps the KPIs are computed from. Never holds the task token.
 */
export interface IncidentResponse {
  incidentId: string;
  /** When pivotguard opened the incident (its clock, or the replay's record clock). */
  openedAt: string;
  /**
   * When the incident's earliest record reached pivotguard (queue arrival): separates the
   * source's own delivery lag (firstSeen -> received) from pivotguard's processing (received -> opened).
   */
  firstRecordReceivedAt?: string;
  /** Every alert sent for the incident. */
  alerts: AlertSent[];
  status: IncidentStatus;
  history: StatusChange[];
  actions: ActionRecord[];
  undone: UndoneRecord[];
  approval?: ApprovalRequest;
  workflow?: { execution: string; startedAt: string; finishedAt?: string; dryRun: boolean };
  /** The first containment step (evidence excluded) that changed something, for time to first containment. */
  firstContainedAt?: string;
  /** Set when the incident is dismissed: the suppression people may accept. */
  proposedSuppression?: ProposedSuppression;
}

export interface AlertSent {
  at: string;
  kind: 'opened' | 'escalated';
  severity: string;
}

export type IncidentStatus = 'open' | 'contained' | 'resolved' | 'false-positive';

export interface StatusChange {
  at: string;
  /** Who: an IAM ARN, an email, `pivotguard` for the workflow itself. */
  by: string;
  from: IncidentStatus;
  to: IncidentStatus;
  reason?: string;
}

export interface ApprovalRequest {
  /** Ties the signed link to this wait; the token is stored under it, server-side. */
  nonce: string;
  requestedAt: string;
  expiresAt: string;
  proposed: PlannedAction[];
  /** sha256 of the task token: recognizes a retried request without keeping the token here. */
  tokenSha256?: string;
  decision?: 'approved' | 'rejected' | 'timeout';
  decidedAt?: string;
  decidedBy?: string;
}

export interface UndoneRecord {
  action: ContainmentAction;
  target: string;
  at: string;
  by: string;
  result: 'undone' | 'already-undone' | 'dry-run' | 'skipped' | 'failed';
  detail: string;
}

export interface ProposedSuppression {
  rule: string;
  scope: { namespace?: string; image?: string; roleArn?: string };
  expiresAt: string;
  accepted?: { at: string; by: string };
}

/** Results that mean the cluster or the account was changed (or, dry, would have been). */
const CHANGED: ReadonlySet<ActionRecord['result']> = new Set(['applied', 'already-applied']);

export function openResponse(incidentId: string, openedAt: string): IncidentResponse {
  return { incidentId, openedAt, status: 'open', history: [], actions: [], undone: [], alerts: [] };
}

/**
 * Adds the workflow's step records. A record already kept (same action, target, start) is not
 * added twice, so a retried RecordOutcome changes nothing. The first applied containment step
 * moves an open incident to contained.
 */
export function withActions(response: IncidentResponse, records: readonly ActionRecord[]): IncidentResponse {
  const key = (record: ActionRecord) => `${record.action}|${record.target}|${record.startedAt}`;
  const known = new Set(response.actions.map(key));
  const added = records.filter((record) => !known.has(key(record)));
  if (added.length === 0) return response;
  const actions = [...response.actions, ...added];
  const contained = actions
    .filter((record) => record.action !== 'capture-evidence' && CHANGED.has(record.result))
    .map((record) => record.finishedAt)
    .sort()[0];
  let next: IncidentResponse = { ...response, actions, firstContainedAt: response.firstContainedAt ?? contained };
  if (contained && next.status === 'open') {
    next = withStatus(next, { to: 'contained', by: 'pivotguard', at: contained, reason: 'a containment step was applied' });
  }
  return next;
}

/** Which moves people may make; `contained` is reached by the workflow, or set by hand after manual containment. */
const ALLOWED: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['contained', 'resolved', 'false-positive'],
  contained: ['resolved', 'false-positive', 'open'],
  resolved: ['open'],
  'false-positive': ['open'],
};

export class InvalidTransition extends Error {
  constructor(from: IncidentStatus, to: IncidentStatus) {
    super(`an incident that is ${from} cannot become ${to}${ALLOWED[from].length ? ` (it can become ${ALLOWED[from].join(' or ')})` : ''}`);
    this.name = 'InvalidTransition';
  }
}

export function withStatus(response: IncidentResponse, change: { to: IncidentStatus; by: string; at: string; reason?: string }): IncidentResponse {
  if (response.status === change.to) return response;
  if (!ALLOWED[response.status].includes(change.to)) throw new InvalidTransition(response.status, change.to);
  const entry: StatusChange = { at: change.at, by: change.by, from: response.status, to: change.to, ...(change.reason ? { reason: change.reason } : {}) };
  return { ...response, status: change.to, history: [...response.history, entry] };
}
