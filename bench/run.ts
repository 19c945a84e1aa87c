/**
 * npm run bench: each section measures against a baseline taken in the same run, never in
 * absolute seconds alone.
 * - the core's throughput and memory on a generated busy cluster, against JSON.parse of the same
 *   bytes (sizes: BENCH_SIZES=200000,1000000; BENCH_SIZES= with nothing skips it; runs of each
 *   size: BENCH_CORE_RUNS, default 3);
 * - the command's start-up, against `node -e 0` (runs: BENCH_STARTUP_RUNS, default 5);
 * - each Lambda handler's bundle and cold import, against `node -e 0` (runs: BENCH_BUNDLE_RUNS,
 *   default 7; BENCH_BUNDLES=0 skips it);
 * - the deployed analyzer's cost per record and its latency, the real handler over dynalite
 *   (history days measured: BENCH_COST_DAYS, default 1,7,30; BENCH_COST=0 skips it).
 */
import { coreThroughput } from './sections/core-throughput.ts';
import { DEFAULT_COST_OPTIONS, deployedCost } from './sections/deployed-cost.ts';
import { lambdaBundles } from './sections/lambda-bundles.ts';
import { startup } from './sections/startup.ts';

const sizes = (process.env.BENCH_SIZES ?? '200000,1000000').split(',').filter(Boolean).map(Number);

await coreThroughput(sizes);
await startup(Number(process.env.BENCH_STARTUP_RUNS ?? 5));
if (process.env.BENCH_BUNDLES !== '0') await lambdaBundles(Number(process.env.BENCH_BUNDLE_RUNS ?? 7));
if (process.env.BENCH_COST !== '0') {
  const checkpointDays = process.env.BENCH_COST_DAYS?.split(',').map(Number) ?? DEFAULT_COST_OPTIONS.checkpointDays;
  await deployedCost({ ...DEFAULT_COST_OPTIONS, checkpointDays });
}
