import { BACKEND_OPTIONS, findIncident, incidentArgument, openBackend, parseCommand, refused } from './backend.ts';
import { dismissal, suppressionYaml } from './dismiss-command.ts';
import { printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';

const USAGE = COMMANDS['accept-suppression'].usage;

/**
 * Records that someone accepted the suppression a dismissal proposed, and prints it again: the
 * configuration file is the user's, so pivotguard shows the entry and never edits the file.
 */
export async function acceptSuppressionCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(args, USAGE, { ...BACKEND_OPTIONS, json: { type: 'boolean', default: false } });
  const [incidentId] = incidentArgument(positionals, USAGE);
  const backend = await openBackend(values);
  const found = await findIncident(backend, incidentId);
  if (typeof found === 'string') return refused(err, found);
  const proposal = found.response?.proposedSuppression;
  if (!proposal) return refused(err, `no suppression was proposed for ${incidentId}: dismiss it first (pivotguard dismiss ${incidentId} --reason TEXT)`);
  if (found.response?.status !== 'false-positive')
    return refused(err, `${incidentId} was reopened after it was dismissed; dismiss it again to propose a suppression`);
  const accepted = proposal.accepted ?? { at: new Date().toISOString(), by: await backend.actor() };
  const response = await backend.responses.updateResponse(incidentId, (current) => ({ ...current!, proposedSuppression: { ...proposal, accepted } }));
  await backend.save();
  if (values.json) {
    out.write(`${JSON.stringify(response)}\n`);
    return 0;
  }
  const already = proposal.accepted ? 'was already accepted' : 'accepted';
  printLines(out, [
    `Suppression for ${incidentId} ${already} by ${accepted.by} at ${accepted.at}. Add it under suppressions: in pivotguard.yaml:`,
    '',
    ...suppressionYaml(proposal, dismissal(response)?.reason ?? 'dismissed as a false positive', accepted.by),
  ]);
  return 0;
}
