import { REPLAY_USAGE, replayCommand } from './replay-command.ts';
import { UsageError } from './usage-error.ts';

const USAGE = `usage: ${REPLAY_USAGE}`;

/** The pivotguard command; returns the exit code. */
export async function main(args: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'replay':
        return await replayCommand(rest, out, err);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"; ${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`pivotguard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
