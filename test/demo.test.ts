import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../bin/cli/main.ts';
import { replayFiles } from '#adapters/local-replay';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import type { Incident } from '#core/model/incident';
import { loadConfig } from '../bin/cli/load-config.ts';
import { readJsonItems } from '#adapters/record-files';
import { shuffle } from './fixtures/shuffle.ts';

const EXAMPLE = join(import.meta.dirname, '../examples/seed-scenario');
const RECORDS = join(EXAMPLE, 'records');
const CONFIG = join(EXAMPLE, 'pivotguard.yaml');
const files = readdirSync(RECORDS)
  .sort()
  .map((name) => join(RECORDS, name));

async function demoJson(): Promise<{ incidents: Incident[]; rejected: unknown[]; stats: Record<string, unknown> }> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk) => chunks.push(String(chunk)));
  const state = join(await mkdtemp(join(tmpdir(), 'pivotguard-demo-')), 'state.json');
  const code = await main(['replay', '--json', '--cluster', 'prod-east', '--config', CONFIG, '--state', state, ...files], out, process.stderr);
  expect(code).toBe(0);
  return JSON.parse(chunks.join(''));
}

/** Every record of the example, unwrapped from its envelope, as the source wrote it. */
async function exampleRecords(): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  for (const file of files) {
    for await (const items of readJsonItems(file)) {
      for (const item of items) {
        if ('error' in item) throw new Error(item.error);
        const out = emptyOutput();
        normalizeValue(item.value, item.where, { file, defaultCluster: 'prod-east' }, out);
        records.push(...out.events.map((event) => event.raw as Record<string, unknown>));
      }
    }
  }
  return records;
}

describe('the seed scenario demo (npm run demo)', () => {
  let incident: Incident;
  let document: Awaited<ReturnType<typeof demoJson>>;
  beforeAll(async () => {
    document = await demoJson();
    incident = document.incidents[0]!;
  });

  it('reads every example record and tells ONE incident', () => {
    expect(document.rejected).toEqual([]);
    expect(document.incidents).toHaveLength(1);
    expect(incident.severity).toBe('critical');
    expect(incident.title).toBe('Compromised pod payments/checkout-7d9f8b6c5-x2k4q used its cloud credentials from 198.51.100.23');
  });

  it('names the workload completely', () => {
    expect(incident.workload).toEqual({
      cluster: 'prod-east',
      namespace: 'payments',
      namespaceCriticality: 'critical',
      pod: 'checkout-7d9f8b6c5-x2k4q',
      owner: 'Deployment/checkout',
      serviceAccount: 'checkout',
      image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout:2.14.0',
      imageDigest: 'sha256:9f2b6c1e4d8a7b3c5e0f1a2d3c4b5a6978e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4',
      node: 'ip-10-0-42-17.ec2.internal',
    });
  });

  it('follows the identity chain to the attacker session, its key and the outside address', () => {
    expect(incident.identities).toHaveLength(1);
    const [identity] = incident.identities;
    expect(identity).toMatchObject({ roleArn: 'arn:aws:iam::111122223333:role/checkout-irsa', via: 'irsa', unusualSourceIps: ['198.51.100.23'] });
    expect(identity!.sessions[0]).toBe('botocore-session-1795227910');
    expect(identity!.accessKeyIds).toContain('ASIAQWERTYATTACK0003');
    expect([...identity!.sourceIps].sort()).toEqual(['198.51.100.23', '203.0.113.10']);
  });

  it('carries every signal with its source and the source’s own id', async () => {
    const records = await exampleRecords();
    const sourceIds = new Set(records.map((record) => String(record.auditID ?? record.eventID ?? record.id ?? record.Id)));
    for (const signal of incident.signals) expect(sourceIds).toContain(signal.eventId);
    const sources = new Set(incident.signals.map((signal) => signal.source));
    expect([...sources].sort()).toEqual(['cloudtrail', 'eks-audit', 'guardduty']);
    const findings = records.filter((record) => typeof record.type === 'string' || typeof record.Type === 'string');
    for (const finding of findings) expect(incident.signals.map((signal) => signal.eventId)).toContain(finding.id ?? finding.Id);
    // The miner finding was published twice; it is one signal, at its latest count.
    const miner = incident.signals.filter((signal) => signal.summary.startsWith('CryptoCurrency:Runtime/BitcoinTool.B!DNS'));
    expect(miner).toHaveLength(1);
    expect(miner[0]!.summary).toMatch(/seen 3 times/);
  });

  it('names the suspected objectives in ATT&CK terms', () => {
    const tactics = incident.objectives.map((objective) => objective.tactic);
    expect(tactics).toEqual(
      expect.arrayContaining(['Execution (TA0002)', 'Impact (TA0040)', 'Credential Access (TA0006)', 'Discovery (TA0007)', 'Lateral Movement (TA0008)']),
    );
    expect(incident.objectives).toContainEqual({ tactic: 'Impact (TA0040)', technique: 'T1496 Resource Hijacking' });
  });

  it('says what changed: Friday’s image rollout', () => {
    expect(incident.whatChanged).toContainEqual({
      time: expect.stringMatching(/^2026-11-20T16:0/),
      description: 'Deployment payments/checkout changed with image 111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout:2.14.0 by ci-deployer',
    });
  });

  it('explains its confidence: the chain, then what else raised it', () => {
    expect(incident.confidence).toBeGreaterThanOrEqual(0.9);
    expect(incident.explanation).toBe(
      "GuardDuty reverse shell in pod payments/checkout-7d9f8b6c5-x2k4q (critical namespace payments) was followed within 16 minutes by API calls with the pod's role checkout-irsa from 198.51.100.23, outside the cluster's egress. Namespace payments is production.",
    );
  });

  it('shows the blast radius: the other replica shares the service account, role and image', () => {
    expect(incident.blastRadius.sameServiceAccountPods).toEqual(['prod-east/payments/checkout-7d9f8b6c5-m8z2p']);
    expect(incident.blastRadius.sameImagePods).toEqual(['prod-east/payments/checkout-7d9f8b6c5-m8z2p']);
  });

  it('plans scoped automatic containment and asks before disruptive steps', () => {
    expect(incident.plan.automatic.map(({ action, target }) => ({ action, target }))).toEqual([
      { action: 'capture-evidence', target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q' },
      { action: 'isolate-pod', target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q' },
      { action: 'revoke-role-sessions', target: 'arn:aws:iam::111122223333:role/checkout-irsa' },
      { action: 'fence-role', target: 'arn:aws:iam::111122223333:role/checkout-irsa' },
    ]);
    expect(incident.plan.approval.map(({ action, target }) => ({ action, target }))).toEqual([
      { action: 'revoke-all-sessions', target: 'arn:aws:iam::111122223333:role/checkout-irsa' },
      { action: 'deny-web-identity', target: 'arn:aws:iam::111122223333:role/checkout-irsa' },
      { action: 'restart-pod', target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q' },
      { action: 'scale-down', target: 'prod-east/payments/Deployment/checkout' },
    ]);
  });

  it('tells the same incident from the records shuffled and delivered twice, in one file', async () => {
    const records = await exampleRecords();
    const config = await loadConfig(CONFIG);
    const dir = await mkdtemp(join(tmpdir(), 'pivotguard-demo-'));
    for (const seed of [1, 2, 3]) {
      const path = join(dir, `shuffled-${seed}.jsonl`);
      const lines = shuffle([...records, ...records.slice(0, 10 * seed)], seed).map((record) => JSON.stringify(record));
      await writeFile(path, lines.join('\n'));
      const result = await replayFiles([path], { config, cluster: 'prod-east' });
      expect(result.incidents).toEqual(document.incidents);
    }
  });
});

it('the example records are the files the README tells a user to replay', () => {
  expect(files.map((file) => file.split('/').pop())).toEqual(readdirSync(RECORDS).sort());
  expect(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')).toContain('examples/seed-scenario/records/*');
});
