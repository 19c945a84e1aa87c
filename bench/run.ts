/**
 * npm run bench: the core's throughput and memory on a generated busy cluster, against plain
 * JSON.parse of the same bytes measured in the same run. Sizes: BENCH_SIZES=200000,1000000
 * (BENCH_SIZES= with nothing measures start-up only).
 * A small warm-up run first, so the first size is not measured while the JIT is still cold.
 * Then the command's start-up as a person meets it: `pivotguard --help` and `npm run demo` as
 * whole processes, against `node -e 0` in the same run (runs: BENCH_STARTUP_RUNS, default 5).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayFiles } from '#adapters/local-replay';
import { readLineChunks } from '#adapters/record-files';
import { defaultConfig } from '#core/config';
import { bundleIsFresh } from '../bin/bundle-freshness.js';
import { generateBusyCluster } from './generate.ts';

const sizes = (process.env.BENCH_SIZES ?? '200000,1000000').split(',').filter(Boolean).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('run with node --expose-gc so each measurement starts from a collected heap');

async function writeRecords(path: string, records: number): Promise<void> {
  const out = createWriteStream(path);
  for (const line of generateBusyCluster({ records, seed: 7 })) {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The baseline: the same bytes, read the same way, with JSON.parse of every line and nothing else. */
async function parseOnly(path: string): Promise<number> {
  let count = 0;
  for await (const lines of readLineChunks(path)) {
    for (const line of lines) if (line.length > 0 && JSON.parse(line)) count++;
  }
  return count;
}

/**
 * The live heap: collected every second during a separate, untimed replay, so the figure is
 * what the replay keeps, not garbage waiting for the next collection.
 */
async function liveHeapDuring(run: () => Promise<unknown>): Promise<number> {
  gc!();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const timer = setInterval(() => {
    gc!();
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  }, 1000);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return peak;
}

async function seconds(run: () => Promise<unknown>): Promise<number> {
  gc?.();
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

const mb = (bytes: number) => bytes / 1e6;
const dir = await mkdtemp(join(tmpdir(), 'pivotguard-bench-'));
const rows: string[][] = [];
try {
  const warmUp = join(dir, 'warm-up.jsonl');
  await writeRecords(warmUp, 20_000);
  await parseOnly(warmUp);
  await replayFiles([warmUp], { config: defaultConfig, cluster: 'busy-1' });
  await rm(warmUp);
  for (const records of sizes) {
    const path = join(dir, `busy-${records}.jsonl`);
    await writeRecords(path, records);
    const bytes = (await stat(path)).size;
    // The baseline's best of two: the first read may still be warming the page cache.
    const parseSeconds = Math.min(await seconds(() => parseOnly(path)), await seconds(() => parseOnly(path)));
    let result: Awaited<ReturnType<typeof replayFiles>> | undefined;
    const coreSeconds = await seconds(async () => {
      result = await replayFiles([path], { config: defaultConfig, cluster: 'busy-1' });
    });
    const liveHeap = gc ? await liveHeapDuring(() => replayFiles([path], { config: defaultConfig, cluster: 'busy-1' })) : NaN;
    const stats = result!.stats;
    rows.push([
      records.toLocaleString('en-US'),
      mb(bytes).toFixed(0),
      Math.round(records / parseSeconds).toLocaleString('en-US'),
      Math.round(records / coreSeconds).toLocaleString('en-US'),
      (mb(bytes) / coreSeconds).toFixed(1),
      (parseSeconds / coreSeconds).toFixed(2),
      mb(liveHeap).toFixed(0),
      stats.graphNodes.toLocaleString('en-US'),
      `${stats.signals}/${stats.incidents}/${stats.rejected}`,
    ]);
    if (stats.events !== records) console.warn(`warning: ${records - stats.events} records did not normalize`);
    await rm(path);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const header = ['records', 'MB', 'JSON.parse rec/s', 'core rec/s', 'core MB/s', 'core ÷ JSON.parse', 'live heap MB (max)', 'graph nodes', 'signals/incidents/rejected'];
const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
const format = (row: string[]) => row.map((cell, index) => cell.padStart(widths[index]!)).join('  ');
console.log(`pivotguard bench (node ${process.version}, one core): whole core = read + parse + normalize + link + detect + correlate`);
console.log(format(header));
for (const row of rows) console.log(format(row));

// Start-up: whole processes, so module loading, TypeScript compilation (or not) and the CDK synthesis count.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const startupRuns = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

/** The median wall time of a process run `startupRuns` times; `argsOf(run)` lets each run have its own state folder. */
function medianSeconds(command: string, argsOf: (run: number) => string[]): number {
  const times: number[] = [];
  for (let run = 0; run < startupRuns; run++) {
    const started = performance.now();
    const child = spawnSync(command, argsOf(run), { cwd: ROOT, stdio: 'ignore' });
    if (child.status !== 0) throw new Error(`${command} ${argsOf(run).join(' ')} exited ${child.status}`);
    times.push((performance.now() - started) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const startupDir = await mkdtemp(join(tmpdir(), 'pivotguard-startup-'));
try {
  const bundled = bundleIsFresh();
  const baseline = medianSeconds(process.execPath, () => ['-e', '0']);
  const startup = [
    ['node -e 0', baseline],
    ['node bin/pivotguard.js --help', medianSeconds(process.execPath, () => ['bin/pivotguard.js', '--help'])],
    // The demo keeps its state in a folder of its own, never in the project's .pivotguard/.
    ['npm run demo', medianSeconds('npm', (run) => ['run', 'demo', '--silent', '--', '--state', join(startupDir, `run-${run}`, 'state.json')])],
  ] as const;
  console.log(`\nstart-up (whole processes, median of ${startupRuns} runs; ${bundled ? 'the bundle in dist/cli' : 'TypeScript sources through tsx: dist/cli is missing or older than a source, npm run build'}):`);
  for (const [name, seconds] of startup) console.log(`  ${name.padEnd(32)} ${seconds.toFixed(2).padStart(6)} s  ${(seconds / baseline).toFixed(1).padStart(6)} × node -e 0`);
} finally {
  await rm(startupDir, { recursive: true, force: true });
}
