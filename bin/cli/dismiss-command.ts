import { stringify } from 'yaml';
import type { IncidentResponse, ProposedSuppression } from '#core/respond/response';
import { BACKEND_OPTIONS, findIncident, incidentArgument, openBackend, parseCommand, refused } from './backend.ts';
import { containmentReminder } from './containment-reminder.ts';
import { type Printable, printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';
import { UsageError } from './usage-error.ts';

const USAGE = COMMANDS.dismiss.usage;

/**
 * Closes the incident as a false positive, proposes the suppression that would have kept it
 * quiet, and says which containment steps are still in place.
 */
export async function dismissCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(args, USAGE, { ...BACKEND_OPTIONS, reason: { type: 'string' }, json: { type: 'boolean', default: false } });
  const [incidentId] = incidentArgument(positionals, USAGE);
  const reason = values.reason?.trim();
  if (!reason) throw new UsageError(`say why it is a false positive with --reason TEXT; usage: ${USAGE}`);
  const backend = await openBackend(values);
  const found = await findIncident(backend, incidentId);
  if (typeof found === 'string') return refused(err, found);
  const by = await backend.actor();
  const result = await backend.desk.setStatus({ incidentId, to: 'false-positive', by, reason });
  if (!result.ok) return refused(err, result.reason);
  const { response } = result;
  const proposal = response.proposedSuppression!;
  await backend.save();
  if (values.json) {
    out.write(`${JSON.stringify(response)}\n`);
    return 0;
  }
  const change = dismissal(response)!;
  printLines(out, [
    `${incidentId} dismissed as a false positive by ${change.by} at ${change.at}: ${change.reason}`,
    '',
    'Proposed suppression, to add under suppressions: in pivotguard.yaml:',
    '',
    ...suppressionYaml(proposal, change.reason ?? reason, by),
    '',
    `Record that you accept it: pivotguard accept-suppression ${incidentId}`,
    ...containmentReminder(response, backend.undoAdvice(incidentId)),
  ]);
  return 0;
}

/** The latest change that dismissed the incident: who, when and why. */
export function dismissal(response: IncidentResponse | undefined) {
  return response?.history.filter((change) => change.to === 'false-positive').at(-1);
}

/** One entry of pivotguard.yaml's `suppressions:` list, indented to paste under the key; never wrapped. */
export function suppressionYaml(proposal: ProposedSuppression, reason: string, owner: string): Printable[] {
  const entry = { rule: proposal.rule, ...proposal.scope, reason, owner, expires: proposal.expiresAt.slice(0, 10) };
  return stringify([entry])
    .trimEnd()
    .split('\n')
    .map((line) => ({ text: `  ${line}`, verbatim: true }));
}
