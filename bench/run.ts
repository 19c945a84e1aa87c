/**
 * npm run bench: each section measures against a baseline taken in the same run, never in
 * absolute seconds alone.
 * - the core's throughput and memory on a generated busy cluster, against JSON.parse of the same
 *   bytes (sizes: BENCH_SIZES=200000,1000000; BENCH_SIZES= with nothing skips it);
 * - the command's start-up, against `node -e 0` (runs: BENCH_STARTUP_RUNS, default 5).
 */
import { coreThroughput } from './sections/core-throughput.ts';
import { startup } from './sections/startup.ts';

const sizes = (process.env.BENCH_SIZES ?? '200000,1000000').split(',').filter(Boolean).map(Number);

await coreThroughput(sizes);
await startup(Number(process.env.BENCH_STARTUP_RUNS ?? 5));
