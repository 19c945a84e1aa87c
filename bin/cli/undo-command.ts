import { ACTION_NAMES, isContainmentAction } from '#core/actions/registry';
import { BACKEND_OPTIONS, findIncident, incidentArgument, openBackend, parseCommand, refused } from './backend.ts';
import { printError, printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';
import { UsageError } from './usage-error.ts';

const USAGE = COMMANDS.undo.usage;

/** Reverses the incident's recorded containment steps, all or one action's; exit 1 if any reversal failed. */
export async function undoCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(args, USAGE, {
    ...BACKEND_OPTIONS,
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const [incidentId, action] = incidentArgument(positionals, USAGE, 1);
  if (action !== undefined && !isContainmentAction(action)) {
    throw new UsageError(`unknown action "${action}"; one of ${ACTION_NAMES.join(', ')}`);
  }
  const backend = await openBackend(values);
  const found = await findIncident(backend, incidentId);
  if (typeof found === 'string') return refused(err, found);
  const refusal = backend.unavailable('undo');
  if (refusal) return refused(err, refusal);
  const by = await backend.actor();
  const records = await backend.desk.undo({ incidentId, action, by, ...(values['dry-run'] ? { dryRun: true } : {}) });
  const failed = records.filter((record) => record.result === 'failed').length;
  if (values.json) {
    out.write(`${JSON.stringify(records)}\n`);
  } else if (records.length === 0) {
    printLines(out, [`nothing to undo for ${incidentId}${action ? ` (${action})` : ''}: no applied step is left to reverse`]);
  } else {
    printLines(
      out,
      records.flatMap((record) => [`${record.result.padEnd(14)} ${record.action}  ${record.target}`, `  ${record.detail}`]),
    );
  }
  if (failed > 0) printError(err, `${failed} of ${records.length} reversals failed; run undo again once the cause is fixed`);
  return failed > 0 ? 1 : 0;
}
