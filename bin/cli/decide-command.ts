import type { PlannedAction } from '#core/model/incident';
import { BACKEND_OPTIONS, BACKEND_USAGE, findIncident, incidentArgument, openBackend, parseCommand, refused } from './backend.ts';

export const APPROVE_USAGE = `pivotguard approve INCIDENT ${BACKEND_USAGE} [--state-machine ARN] [--json]`;
export const REJECT_USAGE = `pivotguard reject INCIDENT ${BACKEND_USAGE} [--state-machine ARN] [--json]`;

/** Approves or rejects what the incident's workflow waits for now. */
export async function decideCommand(decision: 'approve' | 'reject', args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const usage = decision === 'approve' ? APPROVE_USAGE : REJECT_USAGE;
  const { values, positionals } = parseCommand(args, usage, { ...BACKEND_OPTIONS, json: { type: 'boolean', default: false } });
  const [incidentId] = incidentArgument(positionals, usage);
  const backend = await openBackend(values);
  const found = await findIncident(backend, incidentId);
  if (typeof found === 'string') return refused(err, found);
  const refusal = backend.unavailable('decide');
  if (refusal) return refused(err, refusal);
  const result = await backend.desk.decide({ incidentId, decision, by: await backend.actor() });
  if (!result.ok) return refused(err, result.reason);
  await backend.save();
  const approval = result.response.approval!;
  if (values.json) {
    out.write(`${JSON.stringify(result.response)}\n`);
    return 0;
  }
  const who = `${approval.decision} by ${approval.decidedBy} at ${approval.decidedAt}`;
  out.write(
    decision === 'approve'
      ? `${incidentId} ${who}; the workflow runs next:\n${actionLines(approval.proposed)}`
      : `${incidentId} ${who}; nothing disruptive runs, these stay undone:\n${actionLines(approval.proposed)}`,
  );
  return 0;
}

function actionLines(actions: readonly PlannedAction[]): string {
  if (actions.length === 0) return '  (no action was proposed)\n';
  return actions.map((action) => `  ${action.action}  ${action.target}${action.dryRun ? '  (dry run)' : ''}\n    ${action.reason}\n`).join('');
}
