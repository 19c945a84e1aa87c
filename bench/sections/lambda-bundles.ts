import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleHandler } from '../../lib/function.ts';
import { printTable } from './table.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What every Lambda function's environment has, as the runtime sets it; Powertools reads these at load. */
const LAMBDA_RUNTIME = {
  AWS_REGION: 'us-east-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'pivotguard-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};
const CONFIG_PARAMETER = { PIVOTGUARD_CONFIG_PARAMETER: '/pivotguard/config', PIVOTGUARD_CONFIG_SHA256: '0'.repeat(64) };

/** Each handler with the environment its module-scope checks need (the stack sets the same names). */
const HANDLERS: readonly { name: string; entry: string; environment: Record<string, string> }[] = [
  {
    name: 'analyzer',
    entry: 'functions/handlers/analyzer.ts',
    environment: {
      TABLE_NAME: 'pivotguard-state',
      IDEMPOTENCY_TABLE_NAME: 'pivotguard-idempotency',
      ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:pivotguard-alerts',
      EVENT_BUS_NAME: 'pivotguard',
      DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/pivotguard-records-dlq',
      POWERTOOLS_SERVICE_NAME: 'pivotguard-analyzer',
      CONTAINMENT_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:pivotguard-containment',
      APPROVAL_URL: 'https://approval.lambda-url.us-east-1.on.aws/',
      ...CONFIG_PARAMETER,
    },
  },
  {
    name: 'forwarder',
    entry: 'functions/handlers/forwarder.ts',
    environment: { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/pivotguard-records', POWERTOOLS_SERVICE_NAME: 'pivotguard-forwarder' },
  },
  {
    name: 'containment',
    entry: 'functions/handlers/containment.ts',
    environment: {
      TABLE_NAME: 'pivotguard-state',
      EVIDENCE_BUCKET: 'pivotguard-evidence',
      ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:pivotguard-alerts',
      APPROVAL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pivotguard-approval-AbCdEf',
      CLUSTERS: 'prod-east',
      ACCOUNT_ID: '111122223333',
      POWERTOOLS_SERVICE_NAME: 'pivotguard-containment',
      ...CONFIG_PARAMETER,
    },
  },
  {
    name: 'approval page',
    entry: 'functions/handlers/approval-page.ts',
    environment: {
      TABLE_NAME: 'pivotguard-state',
      APPROVAL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pivotguard-approval-AbCdEf',
      CONTAINMENT_FUNCTION_NAME: 'pivotguard-containment',
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:pivotguard-containment',
      POWERTOOLS_SERVICE_NAME: 'pivotguard-approval',
    },
  },
];

const kb = (bytes: number) => (bytes / 1e3).toFixed(0);

/** Bytes of the asset's code: what a cold start reads (index.mjs and the chunks it imports statically), and all of it. */
function codeBytes(metafile: Metafile, entryFile: string): { atImport: number; total: number } {
  const { outputs } = metafile;
  const loaded = new Set<string>();
  const load = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const imported of outputs[file]!.imports) if (imported.kind === 'import-statement' && outputs[imported.path]) load(imported.path);
  };
  load(entryFile);
  const code = Object.keys(outputs).filter((file) => file.endsWith('.mjs'));
  const sum = (files: Iterable<string>) => [...files].reduce((total, file) => total + outputs[file]!.bytes, 0);
  return { atImport: sum(loaded), total: sum(code) };
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface ProcessTimes {
  /** The whole process, as Lambda's init phase sees it after the runtime has started. */
  processMs: number;
  /** `await import(bundle)` alone, timed inside the process. */
  importMs: number;
}

/** Median times of `runs` fresh processes that import the bundle (or, without one, of `node -e 0`). */
function coldStarts(runs: number, bundle: string | undefined, environment: Record<string, string>, nodeOptions: string[]): ProcessTimes {
  const script = bundle
    ? `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(String(performance.now() - started));`
    : '0';
  const args = bundle ? [...nodeOptions, '--input-type=module', '-e', script] : [...nodeOptions, '-e', script];
  const processMs: number[] = [];
  const importMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...environment }, encoding: 'utf8' });
    processMs.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`importing ${bundle} failed: ${child.stderr}`);
    importMs.push(bundle ? Number(child.stdout) : 0);
  }
  return { processMs: median(processMs), importMs: median(importMs) };
}

/**
 * Each handler's Lambda bundle, built with the production esbuild options (lib/function.ts):
 * its size and its cold import, with and without `--enable-source-maps`, as the median of
 * `runs` fresh processes and as a ratio to `node -e 0` measured in the same run.
 */
export async function lambdaBundles(runs: number): Promise<void> {
  const outdir = await mkdtemp(join(tmpdir(), 'pivotguard-bundles-'));
  try {
    const rows: string[][] = [];
    const baseline = coldStarts(runs, undefined, LAMBDA_RUNTIME, []).processMs;
    for (const handler of HANDLERS) {
      const assetDir = join(outdir, handler.entry.replace(/\W+/g, '-'));
      const metafile = bundleHandler(handler.entry, assetDir);
      const entryFile = join(assetDir, 'index.mjs');
      const code = codeBytes(metafile, relative(ROOT, entryFile));
      const maps = Object.entries(metafile.outputs).reduce((total, [file, output]) => total + (file.endsWith('.map') ? output.bytes : 0), 0);
      const environment = { ...LAMBDA_RUNTIME, ...handler.environment };
      const plain = coldStarts(runs, entryFile, environment, []);
      const mapped = coldStarts(runs, entryFile, environment, ['--enable-source-maps']);
      rows.push([
        handler.name,
        kb(code.atImport),
        kb(code.total),
        kb(maps),
        plain.importMs.toFixed(0),
        (plain.processMs / baseline).toFixed(1),
        mapped.importMs.toFixed(0),
        (mapped.processMs / baseline).toFixed(1),
      ]);
    }
    console.log(`\nLambda bundles (production esbuild options; median of ${runs} fresh processes; node -e 0 took ${baseline.toFixed(0)} ms):`);
    printTable(
      ['handler', 'KB read at import', 'KB in all chunks', 'map KB', 'import ms', '× node -e 0', 'import ms (source maps)', '× node -e 0 (source maps)'],
      rows,
    );
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
