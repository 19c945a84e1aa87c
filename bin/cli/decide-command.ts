import type { PlannedAction } from '#core/model/incident';
import { BACKEND_OPTIONS, findIncident, incidentArgument, openBackend, parseCommand, refused } from './backend.ts';
import { type Printable, printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';

/** Approves or rejects what the incident's workflow waits for now. */
export async function decideCommand(decision: 'approve' | 'reject', args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { usage } = COMMANDS[decision];
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
  printLines(out, [
    decision === 'approve' ? `${incidentId} ${who}; the workflow runs next:` : `${incidentId} ${who}; nothing disruptive runs, these stay undone:`,
    ...actionLines(approval.proposed),
  ]);
  return 0;
}

function actionLines(actions: readonly PlannedAction[]): Printable[] {
  if (actions.length === 0) return ['  (no action was proposed)'];
  return actions.flatMap((action) => [`  ${action.action}  ${action.target}${action.dryRun ? '  (dry run)' : ''}`, `    ${action.reason}`]);
}
