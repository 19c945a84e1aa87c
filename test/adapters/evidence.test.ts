import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, type PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import type { EvidenceRecord } from '#core/respond/evidence-manifest';
import { EvidenceLocker } from '#adapters/containment/evidence';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const s3 = mockClient(S3Client);
const BUCKET = 'pivotguard-evidence-111122223333';
const CAPTURED_AT = new Date('2026-11-21T02:40:00.000Z');
const CLOCK = () => new Date('2026-11-21T02:40:05.000Z');

let incident: Incident;
let prefix: string;

const RECORDS: EvidenceRecord[] = [
  { eventId: 'a1b2c3d4-0000-4000-8000-000000000001', source: 'cloudtrail', raw: { eventName: 'ListBuckets', sourceIPAddress: '198.51.100.23' } },
  { eventId: 'f0e1d2c3-0000-4000-8000-000000000002', source: 'eks-audit', raw: { verb: 'list', objectRef: { resource: 'secrets' } } },
  // The same record delivered twice is stored once.
  { eventId: 'a1b2c3d4-0000-4000-8000-000000000001', source: 'cloudtrail', raw: { eventName: 'ListBuckets', sourceIPAddress: '198.51.100.23' } },
  // A re-published GuardDuty finding: same id, two revisions, both kept.
  { eventId: '7ac5b3a1f0d2', source: 'guardduty', raw: { id: '7ac5b3a1f0d2', service: { count: 1 } } },
  { eventId: '7ac5b3a1f0d2', source: 'guardduty', raw: { id: '7ac5b3a1f0d2', service: { count: 3 } } },
];

function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

function puts(): PutObjectCommandInput[] {
  return s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

function bodyOf(input: PutObjectCommandInput): Buffer {
  return Buffer.from(input.Body as Uint8Array);
}

function locker(options: { objectLock?: boolean; retentionDays?: number } = {}): EvidenceLocker {
  return new EvidenceLocker(new S3Client({ region: 'us-east-1' }), {
    bucket: BUCKET,
    objectLock: options.objectLock ?? true,
    retentionDays: options.retentionDays,
    clock: CLOCK,
  });
}

function capture(overrides: { records?: EvidenceRecord[]; dryRun?: boolean } = {}, target = locker()) {
  return target.capture({
    incident,
    records: overrides.records ?? RECORDS,
    podSpec: { apiVersion: 'v1', kind: 'Pod', metadata: { name: incident.workload.pod, namespace: incident.workload.namespace } },
    podLogs: 'starting checkout\nGET /healthz 200\n',
    rolePolicies: [{ roleArn: incident.identities[0]!.roleArn, policies: ['AmazonS3ReadOnlyAccess'] }],
    capturedAt: CAPTURED_AT,
    dryRun: overrides.dryRun ?? false,
  });
}

function preconditionFailed(): Error {
  return Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
  });
}

beforeAll(async () => {
  [incident] = (await incidentsOf(pivotScenario())) as [Incident];
  prefix = `incidents/${incident.id}/2026-11-21T024000.000Z/`;
});

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

describe('EvidenceLocker.capture', () => {
  it('writes the incident, each distinct record, the pod spec, logs and role policies, then the manifest', async () => {
    const { record, manifestKey } = await capture();
    expect(record.result).toBe('applied');
    expect(record.action).toBe('capture-evidence');
    expect(record.target).toBe(`${incident.workload.cluster}/${incident.workload.namespace}/${incident.workload.pod}`);
    const revisions = [1, 3]
      .map((count) => sha256Hex(`${JSON.stringify({ id: '7ac5b3a1f0d2', service: { count } }, null, 2)}\n`).slice(0, 12))
      .map((digest) => `${prefix}records/guardduty-7ac5b3a1f0d2-${digest}.json`)
      .sort();
    expect(puts().map((input) => input.Key)).toEqual([
      `${prefix}incident.json`,
      `${prefix}records/cloudtrail-a1b2c3d4-0000-4000-8000-000000000001.json`,
      `${prefix}records/eks-audit-f0e1d2c3-0000-4000-8000-000000000002.json`,
      ...revisions,
      `${prefix}pod-spec.json`,
      `${prefix}pod-logs.txt`,
      `${prefix}role-policies.json`,
      `${prefix}manifest.json`,
    ]);
    expect(manifestKey).toBe(`${prefix}manifest.json`);
    expect(JSON.parse(bodyOf(puts()[0]!).toString('utf8'))).toEqual(incident);
    expect(bodyOf(puts().find((input) => input.Key === `${prefix}pod-logs.txt`)!).toString('utf8')).toBe('starting checkout\nGET /healthz 200\n');
  });

  it('sends every object with the SHA-256 of its body, so S3 verifies it, and only if the key is new', async () => {
    await capture();
    expect(puts().length).toBeGreaterThan(0);
    for (const input of puts()) {
      expect(input.Bucket).toBe(BUCKET);
      expect(input.ChecksumSHA256, input.Key).toBe(createHash('sha256').update(bodyOf(input)).digest('base64'));
      expect(input.IfNoneMatch).toBe('*');
    }
  });

  it('locks every object in GOVERNANCE mode until the capture time plus the retention', async () => {
    await capture();
    for (const input of puts()) {
      expect(input.ObjectLockMode).toBe('GOVERNANCE');
      expect(input.ObjectLockRetainUntilDate).toEqual(new Date('2027-02-19T02:40:00.000Z'));
    }
    s3.resetHistory();
    await capture({}, locker({ retentionDays: 7 }));
    expect(puts()[0]!.ObjectLockRetainUntilDate).toEqual(new Date('2026-11-28T02:40:00.000Z'));
  });

  it('sends no Object Lock parameters to a bucket without Object Lock', async () => {
    await capture({}, locker({ objectLock: false }));
    for (const input of puts()) {
      expect(input).not.toHaveProperty('ObjectLockMode');
      expect(input).not.toHaveProperty('ObjectLockRetainUntilDate');
    }
  });

  it('lists every object in the manifest with the size and digest of what was sent', async () => {
    const result = await capture();
    const sent = puts();
    const manifestInput = sent.find((input) => input.Key === result.manifestKey)!;
    const manifestBody = bodyOf(manifestInput);
    expect(result.manifestSha256).toBe(sha256Hex(manifestBody));
    const manifest = JSON.parse(manifestBody.toString('utf8'));
    const others = sent.filter((input) => input !== manifestInput);
    expect(manifest).toEqual({
      incidentId: incident.id,
      capturedAt: '2026-11-21T02:40:00.000Z',
      objects: others.map((input) => ({ key: input.Key, bytes: bodyOf(input).length, sha256: sha256Hex(bodyOf(input)) })),
    });
    expect(result.objects).toEqual(manifest.objects);
    expect(result.record.detail).toContain(result.manifestSha256);
  });

  it('writes the same keys and bytes whatever order the records arrive in', async () => {
    const first = await capture();
    const firstPuts = puts().map((input) => [input.Key, sha256Hex(bodyOf(input))]);
    s3.resetHistory();
    const second = await capture({ records: [...RECORDS].reverse() });
    expect(puts().map((input) => [input.Key, sha256Hex(bodyOf(input))])).toEqual(firstPuts);
    expect(second.manifestSha256).toBe(first.manifestSha256);
  });

  it('dry: writes nothing and reports what it would store', async () => {
    const real = await capture();
    s3.resetHistory();
    const dry = await capture({ dryRun: true });
    expect(s3.calls()).toHaveLength(0);
    expect(dry.record.result).toBe('dry-run');
    expect(dry.objects).toEqual(real.objects);
    expect(dry.manifestSha256).toBe(real.manifestSha256);
    expect(dry.record.undo).toEqual({ kind: 'none', reason: 'evidence is kept under Object Lock for 90 days' });
  });

  it('a retry finds its own objects by digest and reports them already stored', async () => {
    await capture();
    const stored = new Map(puts().map((input) => [input.Key, input.ChecksumSHA256]));
    s3.reset();
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => ({ ChecksumSHA256: stored.get(input.Key) }));
    const retry = await capture();
    expect(retry.record.result).toBe('already-applied');
    expect(s3.commandCalls(HeadObjectCommand).every((call) => call.args[0].input.ChecksumMode === 'ENABLED')).toBe(true);
  });

  it('never overwrites a key that holds different bytes: a changed incident captured again goes beside it, and the manifest says where', async () => {
    s3.on(PutObjectCommand, { Key: `${prefix}incident.json` }).rejects(preconditionFailed());
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.alloc(32).toString('base64') });
    const { record, manifestKey } = await capture();
    expect(record.result).toBe('applied');
    const digest = sha256Hex(`${JSON.stringify(incident, null, 2)}\n`).slice(0, 12);
    const beside = puts().find((input) => input.Key === `${prefix}incident-${digest}.json`)!;
    expect(JSON.parse(bodyOf(beside).toString('utf8'))).toEqual(incident);
    const manifest = JSON.parse(bodyOf(puts().find((input) => input.Key === manifestKey)!).toString('utf8'));
    expect(manifest.objects.map((object: { key: string }) => object.key)).toContain(`${prefix}incident-${digest}.json`);
    expect(manifest.objects.map((object: { key: string }) => object.key)).not.toContain(`${prefix}incident.json`);
  });

  it('fails rather than overwrite when the key beside one holds different bytes too', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.alloc(32).toString('base64') });
    const { record } = await capture();
    expect(record.result).toBe('failed');
    expect(record.detail).toMatch(new RegExp(`${prefix}\\S+ already holds different content`));
  });

  it('fails naming the S3 permission it was refused', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    const { record } = await capture();
    expect(record.result).toBe('failed');
    expect(record.detail).toContain('pivotguard may not call s3:PutObject or s3:PutObjectRetention on the evidence bucket');
  });

  it('rethrows throttling so the state machine retries it', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } }),
    );
    await expect(capture()).rejects.toThrow('reduce your request rate');
  });

  it('fails, writing nothing, on an invalid capture time', async () => {
    const { record, manifestKey } = await locker().capture({ incident, records: RECORDS, capturedAt: new Date('nope'), dryRun: false });
    expect(record.result).toBe('failed');
    expect(manifestKey).toBe('');
    expect(s3.calls()).toHaveLength(0);
  });
});
