import { ACCEPT_SUPPRESSION_USAGE, acceptSuppressionCommand } from './accept-suppression-command.ts';
import { APPROVE_USAGE, REJECT_USAGE, decideCommand } from './decide-command.ts';
import { DISMISS_USAGE, dismissCommand } from './dismiss-command.ts';
import { DOCTOR_USAGE, doctorCommand } from './doctor-command.ts';
import { RBAC_USAGE, rbacCommand } from './rbac-command.ts';
import { REPLAY_USAGE, replayCommand } from './replay-command.ts';
import { REPORT_USAGE, reportCommand } from './report-command.ts';
import { RESOLVE_USAGE, resolveCommand } from './resolve-command.ts';
import { UNDO_USAGE, undoCommand } from './undo-command.ts';
import { UsageError } from './usage-error.ts';

const COMMANDS = ['replay', 'approve', 'reject', 'undo', 'resolve', 'dismiss', 'accept-suppression', 'report', 'rbac', 'doctor'];

const USAGE = `usage: ${[REPLAY_USAGE, APPROVE_USAGE, REJECT_USAGE, UNDO_USAGE, RESOLVE_USAGE, DISMISS_USAGE, ACCEPT_SUPPRESSION_USAGE, REPORT_USAGE, RBAC_USAGE, DOCTOR_USAGE].join('\n       ')}

Incidents and responses are read from the deployed table with --table NAME (or PIVOTGUARD_TABLE),
otherwise from the local state file --state FILE (default .pivotguard/state.json).
On the table, approve and reject need --state-machine ARN (PIVOTGUARD_STATE_MACHINE) and undo
needs --function NAME (PIVOTGUARD_CONTAINMENT_FUNCTION), from the stack outputs.`;

/** The pivotguard command; returns the exit code. */
export async function main(args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'replay':
        return await replayCommand(rest, out, err);
      case 'approve':
      case 'reject':
        return await decideCommand(command, rest, out, err);
      case 'undo':
        return await undoCommand(rest, out, err);
      case 'resolve':
        return await resolveCommand(rest, out, err);
      case 'dismiss':
        return await dismissCommand(rest, out, err);
      case 'accept-suppression':
        return await acceptSuppressionCommand(rest, out, err);
      case 'report':
        return await reportCommand(rest, out);
      case 'rbac':
        return await rbacCommand(rest, out);
      case 'doctor':
        return await doctorCommand(rest, out);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"; commands: ${COMMANDS.join(', ')} (pivotguard help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`pivotguard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
