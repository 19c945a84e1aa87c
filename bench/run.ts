/**
 * npm run bench: the core's throughput and memory on a generated busy cluster, against plain
 * JSON.parse of the same bytes measured in the same run. Sizes: BENCH_SIZES=200000,1000000.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayFiles } from '#adapters/local-replay';
import { readLineChunks } from '#adapters/record-files';
import { defaultConfig } from '#core/config';
import { generateBusyCluster } from './generate.ts';

const sizes = (process.env.BENCH_SIZES ?? '200000,1000000').split(',').map(Number);
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

function heapSampler() {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().heapUsed);
    },
  };
}

const mb = (bytes: number) => bytes / 1e6;
const dir = await mkdtemp(join(tmpdir(), 'pivotguard-bench-'));
const rows: string[][] = [];
try {
  for (const records of sizes) {
    const path = join(dir, `busy-${records}.jsonl`);
    await writeRecords(path, records);
    const bytes = (await stat(path)).size;
    gc?.();
    let started = performance.now();
    await parseOnly(path);
    const parseSeconds = (performance.now() - started) / 1000;
    gc?.();
    const baseHeap = process.memoryUsage().heapUsed;
    const sampler = heapSampler();
    started = performance.now();
    const result = await replayFiles([path], { config: defaultConfig, cluster: 'busy-1' });
    const coreSeconds = (performance.now() - started) / 1000;
    const peakHeap = sampler.stop() - baseHeap;
    rows.push([
      records.toLocaleString('en-US'),
      mb(bytes).toFixed(0),
      Math.round(records / parseSeconds).toLocaleString('en-US'),
      Math.round(records / coreSeconds).toLocaleString('en-US'),
      (mb(bytes) / coreSeconds).toFixed(1),
      (parseSeconds / coreSeconds).toFixed(2),
      mb(peakHeap).toFixed(0),
      result.stats.graphNodes.toLocaleString('en-US'),
      `${result.stats.signals}/${result.stats.incidents}/${result.stats.rejected}`,
    ]);
    if (result.stats.events !== records) console.warn(`warning: ${records - result.stats.events} records did not normalize`);
    await rm(path);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const header = ['records', 'MB', 'JSON.parse rec/s', 'core rec/s', 'core MB/s', 'core ÷ JSON.parse', 'peak heap MB', 'graph nodes', 'signals/incidents/rejected'];
const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
const format = (row: string[]) => row.map((cell, index) => cell.padStart(widths[index]!)).join('  ');
console.log(`pivotguard bench (node ${process.version}, one core): whole core = read + parse + normalize + link + detect + correlate`);
console.log(format(header));
for (const row of rows) console.log(format(row));
