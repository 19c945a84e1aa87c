import type { Incident } from '#core/model/incident';
import type { ApprovalOutcome } from '#core/respond/approval-outcome';
import type { IncidentResponse } from '#core/respond/response';
import { type StepView, incidentView } from '#core/view/incident-view';
import { rebuildAdvice } from '#core/view/rebuild-words';

/** The plan as the containment email states it, before anything runs; a revision's plan is only what it adds. */
export function planMessage(incident: Incident, dryRun: boolean, revision: boolean): string {
  const view = incidentView(incident);
  // Action codes, as `pivotguard undo INCIDENT ACTION` takes them.
  const list = (steps: readonly StepView[]) =>
    steps.length ? steps.map((step) => `- ${step.action.code} ${step.target}${step.dryRun ? ' (dry run)' : ''}`).join('\n') : '- nothing';
  return [
    ...(dryRun ? ['DRY RUN: nothing will be changed; every step records what it would do.'] : []),
    revision
      ? `${view.id} grew since its containment started (${view.headline}): pivotguard adds the steps it now needs.`
      : `pivotguard is containing ${view.id}: ${view.headline}.`,
    'Evidence is stored first. Running now:',
    list(view.plan.automatic),
    'Waiting for your approval:',
    list(view.plan.approval),
  ].join('\n');
}

/** What ran, what did not, and how to put it back. */
export function outcomeMessage(incident: Incident, response: IncidentResponse, decision: ApprovalOutcome['decision'] | undefined): string {
  const view = incidentView(incident, response);
  const ran = view.response?.actions ?? [];
  const steps = ran.map((run) => `- ${run.action.code} ${run.target}: ${run.result}. ${run.detail}`);
  const reversible = (view.response?.undoable.length ?? 0) > 0;
  // The root cause outlives the pod: say what to rebuild so the image cannot come back.
  const rebuild = incident.image ? rebuildAdvice(incident.image) : undefined;
  return [
    `Containment of ${view.id} (${view.headline}) is finished; the incident is ${view.status.code}.`,
    approvalSays(decision, view.response?.approval?.decidedBy),
    'Steps:',
    ...(steps.length ? steps : ['- none']),
    ...(rebuild ? ['', `To stop the pattern, ${rebuild}.`] : []),
    ...(reversible ? ['', `Undo every step: npx pivotguard undo ${view.id}   (or one: npx pivotguard undo ${view.id} ACTION)`] : []),
  ].join('\n');
}

function approvalSays(decision: ApprovalOutcome['decision'] | undefined, decidedBy: string | undefined): string {
  switch (decision) {
    case 'approved':
      return `The approved steps ran (approved by ${decidedBy ?? 'someone'}).`;
    case 'rejected':
      return 'The approval was rejected: nothing disruptive ran.';
    case 'timeout':
      return 'Nobody approved in time: nothing disruptive ran.';
    case 'joined':
      return 'The steps needing approval were added to the approval already pending; they run if it is approved.';
    default:
      return 'Nothing needed approval.';
  }
}
