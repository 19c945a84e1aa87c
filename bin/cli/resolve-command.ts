import { BACKEND_OPTIONS, BACKEND_USAGE, findIncident, incidentArgument, openBackend, parseCommand, refused } from './backend.ts';

export const RESOLVE_USAGE = `pivotguard resolve INCIDENT [--reason TEXT] ${BACKEND_USAGE} [--json]`;

/** Marks the incident resolved: dealt with, and the reason it is closed. */
export async function resolveCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(args, RESOLVE_USAGE, { ...BACKEND_OPTIONS, reason: { type: 'string' }, json: { type: 'boolean', default: false } });
  const [incidentId] = incidentArgument(positionals, RESOLVE_USAGE);
  const backend = await openBackend(values);
  const found = await findIncident(backend, incidentId);
  if (typeof found === 'string') return refused(err, found);
  const result = await backend.desk.setStatus({ incidentId, to: 'resolved', by: await backend.actor(), reason: values.reason });
  if (!result.ok) return refused(err, result.reason);
  await backend.save();
  const change = result.response.history.at(-1);
  if (values.json) out.write(`${JSON.stringify(result.response)}\n`);
  else out.write(`${incidentId} resolved by ${change?.by} at ${change?.at}${change?.reason ? `: ${change.reason}` : ''}\n`);
  return 0;
}
