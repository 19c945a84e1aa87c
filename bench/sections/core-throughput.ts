import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayFiles } from '#adapters/local-replay';
import { readLineChunks } from '#adapters/record-files';
import { defaultConfig } from '#core/config';
import { generateBusyCluster } from '../generate.ts';
import { printTable } from './table.ts';

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 1e6;

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

interface Timing {
  wall: number;
  /** Processor seconds of the whole process (every thread: the collector's helpers too): steadier than wall time on a shared machine. */
  cpu: number;
}

async function timed(run: () => Promise<unknown>): Promise<Timing> {
  gc?.();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await run();
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const median = (values: readonly number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The core's throughput and memory on a generated busy cluster, against plain JSON.parse of the
 * same bytes measured in the same run. A small warm-up run first, so the first size is not
 * measured while the JIT is still cold. Each size is measured `runs` times, the baseline and the
 * core one after the other, so both meet the same load; the ratios are the medians of the runs'.
 */
export async function coreThroughput(sizes: readonly number[], runs = Number(process.env.BENCH_CORE_RUNS ?? 3)): Promise<void> {
  if (sizes.length === 0) return;
  if (!gc) console.warn('run with node --expose-gc so each measurement starts from a collected heap');
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
      // The first read may still be warming the page cache.
      await parseOnly(path);
      const parse: Timing[] = [];
      const core: Timing[] = [];
      let result: Awaited<ReturnType<typeof replayFiles>> | undefined;
      for (let run = 0; run < runs; run++) {
        parse.push(await timed(() => parseOnly(path)));
        core.push(
          await timed(async () => {
            result = await replayFiles([path], { config: defaultConfig, cluster: 'busy-1' });
          }),
        );
      }
      const wallRatio = median(parse.map((timing, run) => timing.wall / core[run]!.wall));
      const cpuRatio = median(parse.map((timing, run) => timing.cpu / core[run]!.cpu));
      const parseSeconds = median(parse.map((timing) => timing.wall));
      const coreSeconds = median(core.map((timing) => timing.wall));
      const liveHeap = gc ? await liveHeapDuring(() => replayFiles([path], { config: defaultConfig, cluster: 'busy-1' })) : Number.NaN;
      const stats = result!.stats;
      rows.push([
        records.toLocaleString('en-US'),
        mb(bytes).toFixed(0),
        Math.round(records / parseSeconds).toLocaleString('en-US'),
        Math.round(records / coreSeconds).toLocaleString('en-US'),
        (mb(bytes) / coreSeconds).toFixed(1),
        wallRatio.toFixed(2),
        cpuRatio.toFixed(2),
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
  console.log(
    `pivotguard bench (node ${process.version}, one core, median of ${runs} runs): whole core = read + parse + normalize + link + detect + correlate`,
  );
  printTable(
    [
      'records',
      'MB',
      'JSON.parse rec/s',
      'core rec/s',
      'core MB/s',
      'core ÷ JSON.parse (wall)',
      'core ÷ JSON.parse (CPU)',
      'live heap MB (max)',
      'graph nodes',
      'signals/incidents/rejected',
    ],
    rows,
  );
}
