import type { ContainmentAction, Incident, PlannedAction } from '#core/model/incident';
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
  /** The latest approval request; the ones before it are in `earlierApprovals`. */
  approval?: ApprovalRequest;
  /** Approval requests replaced by a later one, oldest first; each was decided or had expired. */
  earlierApprovals?: ApprovalRequest[];
  /** The incident's first containment execution. */
  workflow?: WorkflowExecution;
  /** Executions started later because the plan grew (a new session, role or pod), oldest first. */
  revisions?: WorkflowExecution[];
  /** The first containment step (evidence excluded) that changed something, for time to first containment. */
  firstContainedAt?: string;
  /** Set when the incident is dismissed: the suppression people may accept. */
  proposedSuppression?: ProposedSuppression;
}

export interface WorkflowExecution {
  execution: string;
  startedAt: string;
  finishedAt?: string;
  dryRun: boolean;
  /** The planned actions this execution took on (actionKey); absent on responses recorded before revisions. */
  covers?: string[];
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
  /** The execution waiting for this decision; absent on requests recorded before revisions. */
  execution?: string;
  /** sha256 of the task token: recognizes a retried request without keeping the token here. */
  tokenSha256?: string;
  /**
   * Where the email carrying this request's signed link was sent, as the alert channel told at send time (each email that
   * carried the link adds its recipients): email addresses, other subscribers by kind, or UNKNOWN_RECIPIENTS. Kept here,
   * server-side, so neither the link nor the page's form can claim another recipient. Absent on older requests.
   */
  sentTo?: string[];
  decision?: 'approved' | 'rejected' | 'timeout';
  decidedAt?: string;
  /** Who decided: the terminal's caller, or for a decision made through the link, the name typed on the page. */
  decidedBy?: string;
  /**
   * Set only when the decision came through the emailed link: the name the person typed on the page (sanitized),
   * which the page cannot verify; `sentTo` says who could have used the link.
   */
  declaredBy?: string;
}

/** What the alert channel records when it cannot tell who an email reached. */
export const UNKNOWN_RECIPIENTS = 'unknown recipients';

/** The fields a decision sets on a request; replacing a decision clears all of them first. */
export type ApprovalDecision = Required<Pick<ApprovalRequest, 'decision' | 'decidedAt' | 'decidedBy'>> & Pick<ApprovalRequest, 'declaredBy'>;

/** The request with no decision on it, for a decision that could not be delivered or is replaced by another. */
export function undecided(request: ApprovalRequest): ApprovalRequest {
  const { decision: _decision, decidedAt: _at, decidedBy: _by, declaredBy: _declared, ...open } = request;
  return open;
}

/** Adds where the email carrying the link of request `nonce` was sent; a request replaced since is left as it is. */
export function withLinkSentTo(response: IncidentResponse, nonce: string, recipients: readonly string[]): IncidentResponse {
  const approval = response.approval;
  if (approval?.nonce !== nonce) return response;
  const sentTo = [...new Set([...(approval.sentTo ?? []), ...recipients])];
  return sentTo.length === approval.sentTo?.length ? response : { ...response, approval: { ...approval, sentTo } };
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

/** Who decided a request nobody answered before it expired. */
export const NOBODY_IN_TIME = 'nobody (timed out)';

/** Results that mean the cluster or the account was changed (or, dry, would have been). */
const CHANGED: ReadonlySet<ActionRecord['result']> = new Set(['applied', 'already-applied']);

export function openResponse(incidentId: string, openedAt: string): IncidentResponse {
  return { incidentId, openedAt, status: 'open', history: [], actions: [], undone: [], alerts: [] };
}

/** Adds an alert once: the same change at the same severity, alerted again (a redelivered batch), is found recorded. */
export function withAlert(response: IncidentResponse, alert: AlertSent): IncidentResponse {
  const known = response.alerts.some((sent) => sent.kind === alert.kind && sent.severity === alert.severity);
  return known ? response : { ...response, alerts: [...response.alerts, alert] };
}

/**
 * Adds the workflow's step records. A record already kept (same action, target, start and
 * outcome) is not added twice, so a retried RecordOutcome changes nothing, while a revision's
 * step on the same target (a wider revoke) is kept beside the first. The first applied
 * containment step moves an open incident to contained.
 */
export function withActions(response: IncidentResponse, records: readonly ActionRecord[]): IncidentResponse {
  const key = (record: ActionRecord) => `${record.action}|${record.target}|${record.startedAt}|${record.result}|${record.detail}`;
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

/**
 * What makes two planned actions the same step: the action, its target and what on the target it
 * acts on, so a revoke of the same role with a new session is a new step.
 */
export function actionKey(action: Pick<PlannedAction, 'action' | 'target' | 'scope'>): string {
  return [action.action, action.target, ...[...(action.scope ?? [])].sort()].join('|');
}

/** The part of a plan that no execution of the incident has taken on yet. */
export function uncoveredPlan(plan: Incident['plan'], response: IncidentResponse | undefined): Incident['plan'] {
  const covered = new Set([response?.workflow, ...(response?.revisions ?? [])].flatMap((execution) => execution?.covers ?? []));
  const fresh = (action: PlannedAction) => !covered.has(actionKey(action));
  return { automatic: plan.automatic.filter(fresh), approval: plan.approval.filter(fresh) };
}

/** The incident's first execution, or a revision started later for steps the plan gained. */
export type ExecutionKind = 'first' | 'revision';

/**
 * Records an execution once: the first as `workflow`, revisions by name. Recording it again
 * keeps what was recorded first and adds its finish.
 */
export function withExecution(response: IncidentResponse, execution: WorkflowExecution, kind: ExecutionKind): IncidentResponse {
  const merged = (recorded: WorkflowExecution | undefined): WorkflowExecution =>
    recorded ? { ...execution, ...recorded, ...(execution.finishedAt ? { finishedAt: execution.finishedAt } : {}) } : execution;
  if (kind === 'first') return { ...response, workflow: merged(response.workflow) };
  const revisions = response.revisions ?? [];
  const known = revisions.some((revision) => revision.execution === execution.execution);
  return {
    ...response,
    revisions: known ? revisions.map((revision) => (revision.execution === execution.execution ? merged(revision) : revision)) : [...revisions, execution],
  };
}

/** An execution's approval tier, taken in: its own request, or actions added to another execution's. */
export type ApprovalTaken = { opened: ApprovalRequest } | { joined: ApprovalRequest; added: PlannedAction[] };

/**
 * One wait at a time: while another execution's request is open (undecided, not expired), an
 * execution's approval tier is added to it, so one decision covers both. Otherwise the execution
 * opens `request` (or keeps the one it opened already), and the request before it moves to
 * `earlierApprovals`.
 */
export function withApprovalRequested(
  response: IncidentResponse,
  request: ApprovalRequest & { execution: string },
  now: string,
): { response: IncidentResponse; taken: ApprovalTaken } {
  const pending = response.approval;
  const open = pending !== undefined && !pending.decision && pending.expiresAt > now;
  if (open && pending.execution === request.execution) return { response, taken: { opened: pending } };
  if (open) {
    const proposed = new Set(pending.proposed.map(actionKey));
    const added = request.proposed.filter((action) => !proposed.has(actionKey(action)));
    const joined = { ...pending, proposed: [...pending.proposed, ...added] };
    return { response: added.length > 0 ? { ...response, approval: joined } : response, taken: { joined, added } };
  }
  const ended = pending && (pending.decision ? pending : { ...pending, decision: 'timeout' as const, decidedAt: now, decidedBy: NOBODY_IN_TIME });
  const earlierApprovals = ended ? [...(response.earlierApprovals ?? []), ended] : response.earlierApprovals;
  return { response: { ...response, approval: request, ...(earlierApprovals ? { earlierApprovals } : {}) }, taken: { opened: request } };
}
