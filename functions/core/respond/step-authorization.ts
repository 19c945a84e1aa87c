import type { Incident, PlannedAction } from '#core/model/incident';
import type { ApprovalOutcome } from './approval-outcome.ts';
import type { IncidentResponse } from './response.ts';

/** Why a step was refused: anyone allowed to invoke the containment function can send any payload. */
export type StepRefusal = 'incident-not-stored' | 'not-in-plan' | 'not-approved';

/** Allowed: the step as the table holds it (its scope is the planned one, never the payload's) and the recorded approval. */
export type StepAuthorization = { allowed: true; step: PlannedAction; approval?: ApprovalOutcome } | { allowed: false; refusal: StepRefusal; reason: string };

/**
 * Whether a `run-action` may act, judged from the state table, never from the payload: the step
 * must be one pivotguard planned for a stored incident, automatically, or one a person approved
 * in a recorded decision. The approval it runs with is the recorded one, its time no later than
 * `now`, so a forged "approved in 2099" cannot move a revocation cutoff into the future.
 */
export function authorizeStep(
  step: PlannedAction,
  stored: { incident: Incident | undefined; response: IncidentResponse | undefined },
  now: Date,
): StepAuthorization {
  const { incident, response } = stored;
  if (!incident) return { allowed: false, refusal: 'incident-not-stored', reason: 'no stored incident has this id' };
  const key = stepKey(step);
  const automatic = incident.plan.automatic.find((planned) => stepKey(planned) === key);
  if (automatic) return { allowed: true, step: automatic };
  const requests = [...(response?.earlierApprovals ?? []), ...(response?.approval ? [response.approval] : [])];
  const approved = requests.find((request) => request.decision === 'approved' && request.proposed.some((proposed) => stepKey(proposed) === key));
  const approvedStep = approved?.proposed.find((proposed) => stepKey(proposed) === key);
  if (approved && approvedStep) {
    const decidedAt = approved.decidedAt && Date.parse(approved.decidedAt) < now.getTime() ? approved.decidedAt : now.toISOString();
    return {
      allowed: true,
      step: approvedStep,
      approval: { decision: 'approved', ...(approved.decidedBy ? { by: approved.decidedBy } : {}), at: decidedAt, actions: approved.proposed },
    };
  }
  if (incident.plan.approval.some((planned) => stepKey(planned) === key)) {
    return { allowed: false, refusal: 'not-approved', reason: 'the step waits for a person and no recorded decision approved it' };
  }
  return { allowed: false, refusal: 'not-in-plan', reason: 'the step is not in the stored incident’s plan' };
}

/** A step by what it does and to what: its scope (which sessions) is read from the incident when it runs, not from the payload. */
function stepKey(step: Pick<PlannedAction, 'action' | 'target'>): string {
  return `${step.action} ${step.target}`;
}
