import type { Incident } from '#core/model/incident';
import type { IncidentResponse } from '#core/respond/response';
import { pendingUndos } from '#core/respond/undo-plan';
import type { ApprovalOutcome } from './steps.ts';

/** The plan as the containment email states it, before anything runs; a revision's plan is only what it adds. */
export function planMessage(incident: Incident, dryRun: boolean, revision: boolean): string {
  const list = (actions: Incident['plan']['automatic']) =>
    actions.length ? actions.map((action) => `- ${action.action} ${action.target}${action.dryRun ? ' (dry run)' : ''}`).join('\n') : '- nothing';
  return [
    ...(dryRun ? ['DRY RUN: nothing will be changed; every step records what it would do.'] : []),
    revision
      ? `${incident.id} grew since its containment started (${incident.title}): pivotguard adds the steps it now needs.`
      : `pivotguard is containing ${incident.id}: ${incident.title}.`,
    'Evidence is stored first. Running now:',
    list(incident.plan.automatic),
    'Waiting for your approval:',
    list(incident.plan.approval),
  ].join('\n');
}

/** What ran, what did not, and how to put it back. */
export function outcomeMessage(incident: Incident, response: IncidentResponse, decision: ApprovalOutcome['decision'] | undefined): string {
  const steps = response.actions.map((record) => `- ${record.action} ${record.target}: ${record.result}. ${record.detail}`);
  const approval =
    decision === 'approved'
      ? `The approved steps ran (approved by ${response.approval?.decidedBy ?? 'someone'}).`
      : decision === 'rejected'
        ? 'The approval was rejected: nothing disruptive ran.'
        : decision === 'timeout'
          ? 'Nobody approved in time: nothing disruptive ran.'
          : decision === 'joined'
            ? 'The steps needing approval were added to the approval already pending; they run if it is approved.'
            : 'Nothing needed approval.';
  const reversible = pendingUndos(response).length > 0;
  return [
    `Containment of ${incident.id} (${incident.title}) is finished; the incident is ${response.status}.`,
    approval,
    'Steps:',
    ...(steps.length ? steps : ['- none']),
    ...(reversible ? ['', `Undo every step: npx pivotguard undo ${incident.id}   (or one: npx pivotguard undo ${incident.id} ACTION)`] : []),
  ].join('\n');
}
