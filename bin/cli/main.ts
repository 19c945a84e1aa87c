import packageJson from '../../package.json' with { type: 'json' };
import { reportFailure } from './failure.ts';
import { type Printable, printLines } from './terminal.ts';
import { COMMANDS, type CommandName, USAGE, commandHelp, isCommand } from './usage.ts';
import { UsageError } from './usage-error.ts';

type Run = (args: string[], out: NodeJS.WritableStream, err: NodeJS.WriteStream) => Promise<number>;

// Each command is loaded when it runs: --help and --version load no AWS SDK, CDK or Kubernetes client.
const RUN: Record<CommandName, Run> = {
  replay: async (args, out, err) => (await import('./replay-command.ts')).replayCommand(args, out, err),
  approve: async (args, out, err) => (await import('./decide-command.ts')).decideCommand('approve', args, out, err),
  reject: async (args, out, err) => (await import('./decide-command.ts')).decideCommand('reject', args, out, err),
  undo: async (args, out, err) => (await import('./undo-command.ts')).undoCommand(args, out, err),
  resolve: async (args, out, err) => (await import('./resolve-command.ts')).resolveCommand(args, out, err),
  dismiss: async (args, out, err) => (await import('./dismiss-command.ts')).dismissCommand(args, out, err),
  'accept-suppression': async (args, out, err) => (await import('./accept-suppression-command.ts')).acceptSuppressionCommand(args, out, err),
  report: async (args, out) => (await import('./report-command.ts')).reportCommand(args, out),
  rbac: async (args, out) => (await import('./rbac-command.ts')).rbacCommand(args, out),
  doctor: async (args, out) => (await import('./doctor-command.ts')).doctorCommand(args, out),
};

const HELP = new Set(['--help', '-h']);

/** The pivotguard command; returns the exit code. Nothing it meets is printed as a stack trace. */
export async function main(args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === 'help' || HELP.has(command)) {
      const topic = command === 'help' && isCommand(rest[0]) ? commandHelp(rest[0]) : USAGE;
      printLines(out, helpLines(topic));
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v' || command === 'version') {
      out.write(`pivotguard ${packageJson.version}\n`);
      return 0;
    }
    if (!isCommand(command)) throw new UsageError(`unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(', ')} (pivotguard --help)`);
    // Options end at `--`: a file named --help after it is a file.
    const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (options.some((arg) => HELP.has(arg))) {
      printLines(out, helpLines(commandHelp(command)));
      return 0;
    }
    return await RUN[command](rest, out, err);
  } catch (error) {
    return reportFailure(error, err);
  }
}

/** Usage lines wrap under the command they continue. */
function helpLines(text: string): Printable[] {
  return text.split('\n').map((line) => (/^(usage: | {7})pivotguard /.test(line) ? { text: line, hang: 9 } : line));
}
