import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import { auditEvent, cloudTrailRecord, guardDutyFinding, logsSubscriptionEvent } from '../fixtures/records.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

async function run(args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough() as unknown as NodeJS.WriteStream;
  const chunks: string[] = [];
  const errors: string[] = [];
  out.on('data', (chunk) => chunks.push(String(chunk)));
  (err as unknown as PassThrough).on('data', (chunk) => errors.push(String(chunk)));
  const code = await main(args, out, err);
  return { code, stdout: chunks.join(''), stderr: errors.join('') };
}

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pivotguard-cli-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
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
    for (const field of ['id', 'title', 'severity', 'confidence', 'explanation', 'objectives', 'workload', 'identities', 'signals', 'whatChanged', 'blastRadius', 'plan']) {
      expect(incident).toHaveProperty(field);
    }
    expect(Object.keys(incident.workload)).toEqual(expect.arrayContaining(['cluster', 'namespace', 'pod', 'owner', 'serviceAccount', 'image', 'imageDigest', 'node']));
    expect(Object.keys(incident.identities[0])).toEqual(expect.arrayContaining(['roleArn', 'sessions', 'accessKeyIds', 'sourceIps']));
    expect(Object.keys(incident.signals[0])).toEqual(expect.arrayContaining(['source', 'rule', 'time', 'eventId', 'summary']));
    expect(Object.keys(incident.plan)).toEqual(['automatic', 'approval']);
  });

  it('reads mixed sources and envelopes from JSON Lines, documents and gzip, rejecting only the bad records', async () => {
    const mixed = await tempFile(
      'mixed.jsonl',
      [JSON.stringify(logsSubscriptionEvent([auditEvent()])), JSON.stringify(cloudTrailRecord()), '{not json', JSON.stringify(guardDutyFinding()), JSON.stringify(cloudTrailRecord({ eventTime: 'soon' }))].join('\n'),
    );
    const trail = await tempFile('trail.json.gz', gzipSync(JSON.stringify({ Records: [cloudTrailRecord(), cloudTrailRecord()] }, null, 2)));
    const { code, stdout } = await run(['replay', '--json', mixed, trail]);
    expect(code).toBe(0);
    const { stats, rejected } = JSON.parse(stdout);
    expect(stats.eventsBySource).toEqual({ 'eks-audit': 1, cloudtrail: 3, guardduty: 1 });
    expect(rejected).toEqual([
      { file: mixed, record: 'line 3', reason: expect.stringMatching(/^not valid JSON/) },
      { file: mixed, record: 'line 5', reason: 'CloudTrail record eventTime: "soon" is not an ISO 8601 timestamp' },
    ]);
  });

  it('prints a readable summary by default', async () => {
    const file = await tempFile('pivot.jsonl', jsonLines(pivotScenario()));
    const { stdout } = await run(['replay', '--cluster', 'prod-east', file]);
    expect(stdout).toMatch(/^CRITICAL {2}Compromised pod payments\/checkout-7d9f8b6c5-x2k4q used its cloud credentials from 198\.51\.100\.23$/m);
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
});
