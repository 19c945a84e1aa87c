import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditEvent, cloudTrailRecord, guardDutyFinding, logsSubscriptionEvent } from '../fixtures/records.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { run } from './run-cli.ts';

const DEMO_RECORDS = join(import.meta.dirname, '../../examples/seed-scenario/records');
const DEMO_FILES = readdirSync(DEMO_RECORDS)
  .sort()
  .map((name) => join(DEMO_RECORDS, name));

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pivotguard-cli-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The timeline rows of the text output: the Timeline line and the entries under it, up to the next label. */
function timelineRows(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('  Timeline '));
  const end = lines.findIndex((line, index) => index > start && /^ {2}[A-Z]/.test(line));
  return lines.slice(start, end).filter((line) => /^( {2}Timeline {5}| {15})(\d{4}-\d\d-\d\d |… )/.test(line));
}

const jsonLines = (records: unknown[]) => records.map((record) => JSON.stringify(record)).join('\n');

describe('pivotguard replay', () => {
  it('--json prints one JSON document with the contract fields, and nothing else on stdout', async () => {
    const file = await tempFile('pivot.jsonl', jsonLines(pivotScenario()));
    const { code, stdout } = await run(['replay', '--json', '--cluster', 'prod-east', file]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual(expect.arrayContaining(['incidents', 'rejected', 'stats']));
    const [incident] = document.incidents;
    for (const field of [
      'id',
      'title',
      'severity',
      'confidence',
      'explanation',
      'objectives',
      'workload',
      'identities',
      'signals',
      'whatChanged',
      'blastRadius',
      'plan',
    ]) {
      expect(incident).toHaveProperty(field);
    }
    expect(Object.keys(incident.workload)).toEqual(
      expect.arrayContaining(['cluster', 'namespace', 'pod', 'owner', 'serviceAccount', 'image', 'imageDigest', 'node']),
    );
    expect(Object.keys(incident.identities[0])).toEqual(expect.arrayContaining(['roleArn', 'sessions', 'accessKeyIds', 'sourceIps']));
    expect(Object.keys(incident.signals[0])).toEqual(expect.arrayContaining(['source', 'rule', 'time', 'eventId', 'summary']));
    expect(Object.keys(incident.plan)).toEqual(['automatic', 'approval']);
  });

  it('reads mixed sources and envelopes from JSON Lines, documents and gzip, rejecting only the bad records', async () => {
    const mixed = await tempFile(
      'mixed.jsonl',
      [
        JSON.stringify(logsSubscriptionEvent([auditEvent()])),
        JSON.stringify(cloudTrailRecord()),
        '{not json',
        JSON.stringify(guardDutyFinding()),
        JSON.stringify(cloudTrailRecord({ eventTime: 'soon' })),
      ].join('\n'),
    );
    const trail = await tempFile('trail.json.gz', gzipSync(JSON.stringify({ Records: [cloudTrailRecord(), cloudTrailRecord()] }, null, 2)));
    const { code, stdout } = await run(['replay', '--json', mixed, trail]);
    expect(code).toBe(0);
    const { stats, rejected } = JSON.parse(stdout);
    expect(stats.eventsBySource).toEqual({ 'eks-audit': 1, cloudtrail: 3, guardduty: 1, inspector: 0 });
    expect(rejected).toEqual([
      expect.objectContaining({ file: mixed, record: 'line 3', reason: expect.stringMatching(/^not valid JSON/) }),
      expect.objectContaining({ file: mixed, record: 'line 5', reason: 'CloudTrail record eventTime: "soon" is not an ISO 8601 timestamp' }),
    ]);
  });

  it('prints a readable summary by default', async () => {
    const file = await tempFile('pivot.jsonl', jsonLines(pivotScenario()));
    const { stdout } = await run(['replay', '--cluster', 'prod-east', file]);
    // The headline, wrapped to the width when it is longer.
    expect(stdout).toMatch(/^CRITICAL {2}Compromised pod payments\/checkout-7d9f8b6c5-x2k4q used its cloud credentials from\s+198\.51\.100\.23$/m);
    for (const section of ['Workload', 'Identity', 'Objectives', 'Timeline', 'Blast radius', 'Will do', 'Asks first']) {
      expect(stdout).toMatch(new RegExp(`^ {2}${section}`, 'm'));
    }
  });

  it('fails with a one-line reason for bad arguments, unreadable files and bad config', async () => {
    expect(await run(['replay'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^pivotguard: no input files; usage: .*\n$/) });
    expect(await run(['replay', '/no/such/file'])).toMatchObject({ code: 2, stderr: 'pivotguard: cannot read /no/such/file: no such file\n' });
    expect(await run(['replay', '--colour', 'x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--colour'/) });
    expect(await run(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "frobnicate"/) });
    const config = await tempFile('bad.yaml', 'windowHours: soon\n');
    const file = await tempFile('a.jsonl', jsonLines([cloudTrailRecord()]));
    expect(await run(['replay', '--config', config, file])).toMatchObject({
      code: 2,
      stderr: `pivotguard: config ${config}: windowHours: Invalid input: expected number, received string\n`,
    });
  });

  it('summarizes a long timeline by its ends and a count; --full prints every entry', async () => {
    const demo = ['--cluster', 'prod-east', ...DEMO_FILES];
    const { incidents } = JSON.parse((await run(['replay', '--json', ...demo])).stdout);
    const signals = incidents[0].signals.length;
    expect(signals).toBeGreaterThan(8);
    const short = timelineRows((await run(['replay', ...demo])).stdout);
    expect(short).toHaveLength(7);
    expect(short[3]).toContain(`… ${signals - 6} more`);
    expect(timelineRows((await run(['replay', '--full', ...demo])).stdout)).toHaveLength(signals);
  });

  it('prints what records carry without escape sequences, bidi overrides or lines wider than the output', async () => {
    const hostile = '\u001b]0;pwned\u0007\u001b[2J\u202e{not json \u009b31m';
    const file = await tempFile('hostile.jsonl', [...pivotScenario().map((record) => JSON.stringify(record)), hostile].join('\n'));
    const { code, stdout } = await run(['replay', '--cluster', 'prod-east', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Rejected records \(1;/);
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(stdout.split('\n').every((line) => line.length <= 100)).toBe(true);
  });

  it('replays the same files into the same --state without changing it', async () => {
    const file = await tempFile('pivot.jsonl', jsonLines(pivotScenario()));
    const state = join(await mkdtemp(join(tmpdir(), 'pivotguard-cli-')), 'state.json');
    expect((await run(['replay', '--cluster', 'prod-east', '--state', state, file])).code).toBe(0);
    const [text, written] = [await readFile(state, 'utf8'), (await stat(state)).mtimeMs];
    expect((await run(['replay', '--cluster', 'prod-east', '--state', state, file])).code).toBe(0);
    expect(await readFile(state, 'utf8')).toBe(text);
    expect((await stat(state)).mtimeMs).toBe(written);
  });

  it('refuses a --state that is not a state file, and leaves that file as it was (exit 2)', async () => {
    const yaml = 'windowHours: 24\n';
    const config = await tempFile('pivotguard.yaml', yaml);
    const file = await tempFile('pivot.jsonl', jsonLines(pivotScenario()));
    const result = await run(['replay', '--cluster', 'prod-east', '--state', config, file]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^pivotguard: .*--state/);
    expect(await readFile(config, 'utf8')).toBe(yaml);
  });

  it('takes - for standard input once (exit 2 for twice)', async () => {
    const result = await run(['replay', '-', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pivotguard: standard input \(-\) can be read only once\n$/);
  });
});
