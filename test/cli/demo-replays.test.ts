/**
 * The seed scenario replayed the ways a new user meets it: again, dismissed, and from the bundle
 * npm's prepare step builds. One file, so the containment state machine is synthesized once for
 * all of them (containmentDefinition keeps it for the process): it takes seconds each time.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containmentDefinition } from '../../bin/local/containment-definition.ts';
import { DynamoDbStore } from '#adapters/dynamodb-store';
import type { Incident } from '#core/model/incident';
import { severityRank } from '#core/model/signal';
import type { IncidentResponse } from '#core/respond/response';
import { pendingUndos } from '#core/respond/undo-plan';
import { bundleCli } from '../../bin/cli-bundle.ts';
import { main } from '../../bin/cli/main.ts';
import { type Dynalite, startDynalite } from '../fixtures/dynalite.ts';
import { pivotIncident, run } from './run-cli.ts';

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/seed-scenario');
const CONFIG = join(EXAMPLE, 'pivotguard.yaml');
const RECORDS = join(EXAMPLE, 'records');
const FILES = readdirSync(RECORDS)
  .sort()
  .map((name) => join(RECORDS, name));
/** npm run demo, less the state file. */
const DEMO = ['replay', '--cluster', 'prod-east', '--config', CONFIG, '--contain', '--approve', '--by', 'demo-user', ...FILES];

async function freshState(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'pivotguard-demo-')), 'state.json');
}

/** The text output, less the one line that reports a time measured on this machine. */
function withoutMeasurement(stdout: string): string {
  return stdout.replace(/first containment step done \d+ ms/, 'first containment step done N ms');
}

/** The command exactly as typed: run() would give a command without --state a temporary one. */
async function runAsTyped(args: string[]): Promise<{ code: number; stdout: string }> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk) => chunks.push(String(chunk)));
  const code = await main(args, out, new PassThrough() as unknown as NodeJS.WriteStream);
  return { code, stdout: chunks.join('') };
}

/** The indented YAML entry dismiss prints, as pasted under `suppressions:`. */
function pastedEntry(stdout: string): unknown {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('  - '));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('  '));
  return (parse(lines.slice(start, end).join('\n')) as unknown[])[0];
}

describe('replaying the demo again', () => {
  it('with --state: changes nothing, contains nothing twice, and says so', async () => {
    const state = await freshState();
    const first = await run([...DEMO, '--json', '--state', state]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).containment).toEqual([expect.objectContaining({ execution: expect.any(String) })]);
    const saved = await readFile(state, 'utf8');

    const again = await run([...DEMO, '--json', '--state', state]);
    expect(again.code).toBe(0);
    const [entry] = JSON.parse(again.stdout).containment;
    expect(entry.execution).toBeUndefined();
    expect(entry.response.status).toBe('contained');
    expect(await readFile(state, 'utf8')).toBe(saved);
  });

  it('without --state: every run starts afresh in ./.pivotguard and prints the same; a deleted evidence folder comes back', async () => {
    const home = process.cwd();
    const folder = await mkdtemp(join(tmpdir(), 'pivotguard-fresh-'));
    process.chdir(folder);
    try {
      const runs = [];
      for (let index = 0; index < 3; index++) runs.push(await runAsTyped(DEMO));
      expect(runs.map((result) => result.code)).toEqual([0, 0, 0]);
      const [first, ...later] = runs.map((result) => withoutMeasurement(result.stdout));
      for (const output of later) expect(output).toBe(first);

      await rm(join(folder, '.pivotguard', 'evidence'), { recursive: true });
      const afterDeletion = await runAsTyped(DEMO);
      expect(afterDeletion.code).toBe(0);
      expect(withoutMeasurement(afterDeletion.stdout)).toBe(first);
      expect(await readdir(join(folder, '.pivotguard', 'evidence', 'incidents'))).toHaveLength(1);
    } finally {
      process.chdir(home);
    }
  });

  it('finishes when an interrupted run left an approval waiting under its old task token', async () => {
    const state = await freshState();
    expect((await run([...DEMO, '--json', '--state', state])).code).toBe(0);
    const document = JSON.parse(await readFile(state, 'utf8')) as { responses: IncidentResponse[] };
    const [response] = document.responses;
    const { decision: _decision, decidedBy: _by, decidedAt: _at, ...waiting } = response!.approval!;
    // As a run stopped while waiting leaves it: no finished workflow, the request undecided, its token recorded.
    delete response!.workflow;
    response!.approval = { ...waiting, tokenSha256: createHash('sha256').update(`local-${response!.incidentId}`).digest('hex') };
    await writeFile(state, JSON.stringify(document));

    const again = await run([...DEMO, '--json', '--state', state]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).containment[0].response.approval).toMatchObject({ decision: 'approved', decidedBy: 'demo-user' });
  });
});

describe('dismiss on the demo incident', () => {
  it('proposes a suppression that keeps the demo incident from coming back, and lists the containment left in place', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pivotguard-dismiss-'));
    const state = join(folder, 'state.json');
    const replay = await run([
      'replay',
      '--json',
      '--cluster',
      'prod-east',
      '--config',
      CONFIG,
      '--state',
      state,
      '--contain',
      '--approve',
      '--by',
      'alice',
      ...FILES,
    ]);
    expect(replay.code).toBe(0);
    const [incident] = JSON.parse(replay.stdout).incidents as Incident[];
    expect(incident!.severity).toBe('critical');

    const dismissed = await run(['dismiss', incident!.id, '--state', state, '--reason', 'the red team', '--by', 'alice']);
    expect(dismissed.code).toBe(0);
    const response = JSON.parse((await run(['dismiss', incident!.id, '--state', state, '--reason', 'again', '--json'])).stdout) as IncidentResponse;
    const inPlace = pendingUndos(response);
    expect(inPlace.length).toBeGreaterThan(0);
    expect(dismissed.stdout).toMatch(new RegExp(`^Still in place from containment \\(${inPlace.length}\\):$`, 'm'));
    for (const record of inPlace) expect(dismissed.stdout).toContain(record.target);

    const config = parse(readFileSync(CONFIG, 'utf8')) as { suppressions: unknown[] };
    config.suppressions.push(pastedEntry(dismissed.stdout));
    const withSuppression = join(folder, 'pivotguard.yaml');
    await writeFile(withSuppression, stringify(config));
    const again = await run(['replay', '--json', '--cluster', 'prod-east', '--config', withSuppression, '--state', join(folder, 'again.json'), ...FILES]);
    expect(again.code).toBe(0);
    const { incidents, stats } = JSON.parse(again.stdout) as { incidents: Incident[]; stats: { suppressedSignals: number } };
    expect(incidents.filter((replayed) => severityRank[replayed.severity] >= severityRank.high)).toEqual([]);
    expect(stats.suppressedSignals).toBeGreaterThan(0);
  });
});

const execute = promisify(execFile);

describe('the esbuild bundle of the command (npm prepare)', () => {
  // The bundle goes where the project's node_modules resolve, as dist/cli does, but never over it.
  let outdir: string;
  let db: Dynalite;
  beforeAll(async () => {
    await mkdir(join(ROOT, 'dist'), { recursive: true });
    outdir = await mkdtemp(join(ROOT, 'dist', 'test-bundle-'));
    db = await startDynalite();
    await bundleCli(esbuild, outdir, await containmentDefinition());
  }, 180_000);
  afterAll(async () => {
    await db?.stop();
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  /** The bundled command as a separate process, started as bin/pivotguard.js starts it. */
  async function bundled(args: string[], env: NodeJS.ProcessEnv = {}) {
    const starter = join(outdir, 'start.mjs');
    await writeFile(starter, "import { main } from './main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
    // bin/pivotguard.js turns off the AWS SDK's eight-line Node 20 notice; so does this starter's environment.
    const environment = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
    try {
      const { stdout, stderr } = await execute(process.execPath, [starter, ...args], { cwd: ROOT, env: environment });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('contains the demo: aws-local-stepfunctions, @kubernetes/client-node and the IAM and S3 commands run bundled', async () => {
    const state = join(await mkdtemp(join(tmpdir(), 'pivotguard-bundle-')), 'state.json');
    const result = await bundled([
      'replay',
      '--json',
      '--cluster',
      'prod-east',
      '--config',
      CONFIG,
      '--state',
      state,
      '--contain',
      '--approve',
      '--by',
      'ci',
      ...FILES,
    ]);
    expect(result.code).toBe(0);
    const [contained] = JSON.parse(result.stdout).containment;
    expect(contained.response.status).toBe('contained');
    expect(contained.response.approval).toMatchObject({ decision: 'approved' });
  });

  it('reaches DynamoDB through the bundled AWS SDK', async () => {
    const table = await db.newTable();
    const incident = await pivotIncident();
    await new DynamoDbStore({ client: db.client, tableName: table, retention: { graphRetentionMs: 86400_000, windowMs: 86400_000 } }).putIncidents([incident]);
    const endpoint = await db.client.config.endpoint!();
    const result = await bundled(['resolve', incident.id, '--table', table, '--by', 'alice', '--json'], {
      AWS_ENDPOINT_URL_DYNAMODB: `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ incidentId: incident.id, status: 'resolved' });
  });

  it('answers --version and a failure in one line, like the sources', async () => {
    expect((await bundled(['--version'])).stdout).toMatch(/^pivotguard \d+\.\d+\.\d+\n$/);
    const failed = await bundled(['report', '--state', CONFIG]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/^pivotguard: [^\n]+\n$/);
  });
});
