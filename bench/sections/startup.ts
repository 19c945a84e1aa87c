import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleIsFresh } from '../../bin/bundle-freshness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The median wall time of a process run `runs` times; `argsOf(run)` lets each run have its own state folder. */
function medianSeconds(runs: number, command: string, argsOf: (run: number) => string[]): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawnSync(command, argsOf(run), { cwd: ROOT, stdio: 'ignore' });
    if (child.status !== 0) throw new Error(`${command} ${argsOf(run).join(' ')} exited ${child.status}`);
    times.push((performance.now() - started) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * The command's start-up as a person meets it: `pivotguard --help` and `npm run demo` as whole
 * processes (module loading, TypeScript compilation or not), against `node -e 0` in the same run.
 */
export async function startup(runs: number): Promise<void> {
  const startupDir = await mkdtemp(join(tmpdir(), 'pivotguard-startup-'));
  try {
    const bundled = bundleIsFresh();
    const baseline = medianSeconds(runs, process.execPath, () => ['-e', '0']);
    const rows = [
      ['node -e 0', baseline],
      ['node bin/pivotguard.js --help', medianSeconds(runs, process.execPath, () => ['bin/pivotguard.js', '--help'])],
      // The demo keeps its state in a folder of its own, never in the project's .pivotguard/.
      ['npm run demo', medianSeconds(runs, 'npm', (run) => ['run', 'demo', '--silent', '--', '--state', join(startupDir, `run-${run}`, 'state.json')])],
    ] as const;
    console.log(
      `\nstart-up (whole processes, median of ${runs} runs; ${bundled ? 'the bundle in dist/cli' : 'TypeScript sources through tsx: dist/cli is missing or older than a source, npm run build'}):`,
    );
    for (const [name, seconds] of rows)
      console.log(`  ${name.padEnd(32)} ${seconds.toFixed(2).padStart(6)} s  ${(seconds / baseline).toFixed(1).padStart(6)} × node -e 0`);
  } finally {
    await rm(startupDir, { recursive: true, force: true });
  }
}
