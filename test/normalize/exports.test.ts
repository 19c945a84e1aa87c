import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonItems } from '#adapters/record-files';
import type { CloudTrailEvent, GuardDutyFinding, RejectedRecord, SecurityEvent, Source } from '#core/model/event';
import { ClusterNames } from '#core/normalize/cluster-names';
import { emptyOutput, normalizeValue } from '#core/normalize/index';

const EXPORTS = join(import.meta.dirname, '../fixtures/exports');
const SEED = join(import.meta.dirname, '../../examples/seed-scenario/records');

/** Reads one export as the replay does, without a default cluster: raw audit events wait for one. */
async function readExport(path: string) {
  const out = emptyOutput();
  const clusterNames = new ClusterNames();
  const rejected: RejectedRecord[] = [];
  for await (const items of readJsonItems(path)) {
    for (const item of items) {
      if ('error' in item) rejected.push({ file: path, record: String(item.where), reason: item.error, code: item.code });
      else normalizeValue(item.value, item.where, { file: path, deferUnclusteredAudit: true, clusterNames }, out);
    }
  }
  const events: SecurityEvent[] = [...out.events, ...out.unclustered];
  const bySource: Partial<Record<Source, number>> = {};
  for (const event of events) bySource[event.source] = (bySource[event.source] ?? 0) + 1;
  return { events, bySource, rejected: [...rejected, ...out.rejected], out, clusterNames };
}

const withoutRaw = ({ raw: _, ...event }: SecurityEvent) => event;

/** The two audit events every log export in the folder carries, as the seed scenario has them. */
const seedAuditIds = readFileSync(join(SEED, 'eks-audit-friday.jsonl'), 'utf8')
  .split('\n')
  .filter((_, index) => index === 6 || index === 10)
  .map((text) => (JSON.parse(text) as { auditID: string }).auditID);

describe('the exports people have', () => {
  const expected: [file: string, bySource: Partial<Record<Source, number>>, clusterFromExport: boolean][] = [
    ['logs-filter-log-events.json', { 'eks-audit': 2 }, false],
    ['logs-get-log-events.json', { 'eks-audit': 2 }, false],
    ['logs-s3-export-000000.gz', { 'eks-audit': 2 }, false],
    ['logs-insights-results.json', { 'eks-audit': 2 }, true],
    ['logs-insights-results.csv', { 'eks-audit': 2 }, false],
    ['logs-insights-get-query-results.json', { 'eks-audit': 2 }, true],
    ['logs-firehose-delivery.gz', { 'eks-audit': 2 }, true],
    ['cloudtrail-lookup-events.json', { cloudtrail: 2 }, false],
    ['cloudtrail-lake-query-results.json', { cloudtrail: 2 }, false],
    ['guardduty-s3-export.jsonl.gz', { guardduty: 1 }, false],
    ['security-hub-guardduty-findings.json', { guardduty: 1 }, false],
    ['inspector2-finding-events.jsonl', { inspector: 2 }, false],
    ['inspector2-list-findings.json', { inspector: 2 }, false],
    ['ecr-describe-image-scan-findings.json', { inspector: 1 }, false],
  ];

  it('has a fixture for every export it reads', () => {
    const fixtures = readdirSync(EXPORTS).filter((name) => name.includes('.') && name !== 'README.md');
    expect([...expected.map(([file]) => file), 'cloudtrail-insights.json'].sort()).toEqual(fixtures.sort());
  });

  it.each(expected)('%s yields its events by source and rejects nothing', async (file, bySource, clusterFromExport) => {
    const { bySource: actual, rejected, out } = await readExport(join(EXPORTS, file));
    expect(rejected).toEqual([]);
    expect(actual).toEqual(bySource);
    // Log exports that carry the log group name the cluster; the others leave it to the replay.
    if (bySource['eks-audit']) expect(out.unclustered.length).toBe(clusterFromExport ? 0 : 2);
  });

  it('reads the same audit records from every CloudWatch Logs export', async () => {
    for (const [file, bySource] of expected) {
      if (!bySource['eks-audit']) continue;
      const { events } = await readExport(join(EXPORTS, file));
      expect(events.map((event) => event.eventId)).toEqual(seedAuditIds);
    }
  });

  it('puts CloudTrail Lake rows back together as the records lookup-events returns', async () => {
    const lake = await readExport(join(EXPORTS, 'cloudtrail-lake-query-results.json'));
    const lookup = await readExport(join(EXPORTS, 'cloudtrail-lookup-events.json'));
    expect(lake.events.map(withoutRaw)).toEqual(lookup.events.map(withoutRaw));
    const assume = lake.events[1] as CloudTrailEvent;
    expect(assume.responseElements).toMatchObject({ credentials: { accessKeyId: 'ASIAQWERTYNORMAL0001' } });
  });

  it('rebuilds the GuardDuty finding Security Hub holds, except what ASFF drops', async () => {
    const [fromHub] = (await readExport(join(EXPORTS, 'security-hub-guardduty-findings.json'))).events as GuardDutyFinding[];
    const [exported] = (await readExport(join(EXPORTS, 'guardduty-s3-export.jsonl.gz'))).events as GuardDutyFinding[];
    const recovered = [
      'eventId',
      'type',
      'severity',
      'time',
      'updatedAt',
      'accountId',
      'region',
      'cluster',
      'instanceId',
      'process',
      'count',
      'archived',
      'sample',
    ] as const;
    for (const field of recovered) expect(fromHub![field]).toEqual(exported![field]);
    expect(fromHub!.containers).toEqual([{ name: 'checkout', image: exported!.containers[0]!.image, imageDigest: undefined, privileged: false }]);
    expect(fromHub!.raw).toMatchObject({ SchemaVersion: '2018-10-08' });
  });

  it('learns the cluster from GuardDuty findings (in any export) and from EKS API calls', async () => {
    for (const file of ['guardduty-s3-export.jsonl.gz', 'security-hub-guardduty-findings.json', 'cloudtrail-lookup-events.json']) {
      expect((await readExport(join(EXPORTS, file))).clusterNames.strongest().names).toEqual(['prod-east']);
    }
  });

  it('counts and skips CloudTrail Insights records', async () => {
    const { bySource, rejected, out } = await readExport(join(EXPORTS, 'cloudtrail-insights.json'));
    expect({ bySource, rejected, insightsSkipped: out.insightsSkipped }).toEqual({ bySource: { cloudtrail: 1 }, rejected: [], insightsSkipped: 1 });
  });
});

describe('exports pivotguard does not read', () => {
  const unsupported = readdirSync(join(EXPORTS, 'unsupported'));

  it.each(unsupported)('%s is rejected once as an unsupported format', async (file) => {
    const { events, rejected } = await readExport(join(EXPORTS, 'unsupported', file));
    expect(events).toEqual([]);
    expect(rejected.map((rejection) => rejection.code)).toEqual(['unsupported-format']);
  });
});

describe('normalize never throws', () => {
  function normalize(value: unknown) {
    const out = emptyOutput();
    normalizeValue(value, 1, { file: 'input.jsonl', defaultCluster: 'c1' }, out);
    return out;
  }

  it('rejects a record that makes the normalizer fail as an internal error, and keeps its neighbours', () => {
    const hostile = {
      get kind(): string {
        throw new TypeError('boom');
      },
    };
    const out = normalize([hostile, JSON.parse(readFileSync(join(EXPORTS, 'cloudtrail-insights.json'), 'utf8'))]);
    expect(out.rejected).toEqual([{ file: 'input.jsonl', record: 'line 1[0]', code: 'internal-error', reason: 'internal error while normalizing: TypeError' }]);
    expect(out.events).toHaveLength(1);
  });

  it('keeps keys a record spells like __proto__ off every prototype', () => {
    const hub = JSON.parse(readFileSync(join(EXPORTS, 'security-hub-guardduty-findings.json'), 'utf8'));
    hub.Findings[0].ProductFields['aws/guardduty/service/__proto__/polluted'] = 'yes';
    const lake = JSON.parse(readFileSync(join(EXPORTS, 'cloudtrail-lake-query-results.json'), 'utf8'));
    lake.QueryResultRows[0].push(JSON.parse('{"__proto__": {"polluted": "yes"}}'), { requestParameters: '{__proto__={polluted=yes}, name=prod-east}' });
    const out = normalize([hub, lake]);
    expect(out.rejected).toEqual([]);
    expect(out.events).toHaveLength(3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((out.events[1] as CloudTrailEvent).requestParameters).toEqual({ name: 'prod-east' });
  });

  it('rejects arrays nested past the bound as too deep, however deep', () => {
    let deep: unknown = {};
    for (let level = 0; level < 100_000; level++) deep = [deep];
    const out = normalize(deep);
    expect(out.rejected.map((rejection) => rejection.code)).toEqual(['too-deep']);
    expect(out.events).toEqual([]);
  });
});
