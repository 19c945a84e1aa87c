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
 *   (history days measured: BENCH_COST_DAYS, default 1,7,30; BENCH_COST=0 skips it);
 * - the hub under an organization's load: 1, 5, 10 and 20 member accounts through the real handler
 *   over dynalite, several batches in flight (BENCH_ORGANIZATION=0 skips it).
 * Section names as arguments run those sections alone: `npm run bench -- organization-load`.
 */
import { coreThroughput } from './sections/core-throughput.ts';
import { DEFAULT_COST_OPTIONS, deployedCost } from './sections/deployed-cost.ts';
import { lambdaBundles } from './sections/lambda-bundles.ts';
import { DEFAULT_ORGANIZATION_LOAD_OPTIONS, organizationLoad } from './sections/organization-load.ts';
import { startup } from './sections/startup.ts';

const sizes = (process.env.BENCH_SIZES ?? '200000,1000000').split(',').filter(Boolean).map(Number);
const SECTIONS = ['core-throughput', 'startup', 'lambda-bundles', 'deployed-cost', 'organization-load'];
const named = new Set(process.argv.slice(2));
const unknown = [...named].filter((name) => !SECTIONS.includes(name));
if (unknown.length > 0) {
  console.error(`no bench section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (section: string, switchedOn = true) => (named.size === 0 ? switchedOn : named.has(section));

if (runs('core-throughput')) await coreThroughput(sizes);
if (runs('startup')) await startup(Number(process.env.BENCH_STARTUP_RUNS ?? 5));
if (runs('lambda-bundles', process.env.BENCH_BUNDLES !== '0')) await lambdaBundles(Number(process.env.BENCH_BUNDLE_RUNS ?? 7));
if (runs('deployed-cost', process.env.BENCH_COST !== '0')) {
  const checkpointDays = process.env.BENCH_COST_DAYS?.split(',').map(Number) ?? DEFAULT_COST_OPTIONS.checkpointDays;
  await deployedCost({ ...DEFAULT_COST_OPTIONS, checkpointDays });
}
if (runs('organization-load', process.env.BENCH_ORGANIZATION !== '0')) await organizationLoad(DEFAULT_ORGANIZATION_LOAD_OPTIONS);
