import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The state a replay leaves in the working folder: the user's, which no test may write. */
const USER_STATE = '.pivotguard';

/**
 * Vitest global setup: fails the run when a test wrote into the user's local state, as a test
 * that replays without --state would (every CLI test takes a temporary one: test/cli/run-cli.ts).
 */
export default async function guardUserState(): Promise<() => Promise<void>> {
  const before = await fingerprint();
  return async () => {
    if ((await fingerprint()) !== before) throw new Error(`a test wrote into ${USER_STATE}/ in ${process.cwd()}: give it a temporary --state`);
  };
}

async function fingerprint(): Promise<string> {
  try {
    const names = (await readdir(USER_STATE)).sort();
    const times = await Promise.all(names.map(async (name) => `${name}:${(await stat(join(USER_STATE, name))).mtimeMs}`));
    return times.join('\n');
  } catch {
    return 'absent';
  }
}
