import { BACKEND_OPTIONS, findIncident, incidentArgument, openBackend, parseCommand, refused } from './backend.ts';
import { printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';

const USAGE = COMMANDS.resolve.usage;

/** Marks the incident resolved: dealt with, and the reason it is closed. */
export async function resolveCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(args, USAGE, { ...BACKEND_OPTIONS, reason: { type: 'string' }, json: { type: 'boolean', default: false } });
  const [incidentId] = incidentArgument(positionals, USAGE);
  const backend = await openBackend(values);
  const found = await findIncident(backend, incidentId);
  if (typeof found === 'string') return refused(err, found);
  const result = await backend.desk.setStatus({ incidentId, to: 'resolved', by: await backend.actor(), reason: values.reason });
  if (!result.ok) return refused(err, result.reason);
  await backend.save();
  const change = result.response.history.at(-1);
  if (values.json) out.write(`${JSON.stringify(result.response)}\n`);
  else printLines(out, [`${incidentId} resolved by ${change?.by} at ${change?.at}${change?.reason ? `: ${change.reason}` : ''}`]);
  return 0;
}
