import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { replayFiles } from '#adapters/local-replay';
import { defaultConfig } from '#core/config';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const EXPORTS = join(import.meta.dirname, '../fixtures/exports');
const jsonLines = (records: unknown[]) => records.map((record) => JSON.stringify(record)).join('\n');

describe('replaying standard input', () => {
  it("reads '-' from the stream it is given and names it in the rejected list", async () => {
    const stdin = Readable.from([Buffer.from(`${jsonLines(pivotScenario())}\nnot json\n`)]);
    const result = await replayFiles(['-'], { config: defaultConfig, cluster: 'prod-east', stdin });
    expect(result.incidents.map((incident) => incident.severity)).toEqual(['critical']);
    expect(result.rejected).toEqual([{ file: '(standard input)', record: `line ${pivotScenario().length + 1}`, reason: expect.any(String), code: 'not-json' }]);
    expect(result.stats.files).toBe(1);
  });

  it("reads '-' gzipped next to files", async () => {
    const stdin = Readable.from([gzipSync(jsonLines(pivotScenario()))]);
    const result = await replayFiles([join(EXPORTS, 'guardduty-s3-export.jsonl.gz'), '-'], { config: defaultConfig, cluster: 'prod-east', stdin });
    expect(result.rejected).toEqual([]);
    expect(result.stats.eventsBySource).toEqual({ 'eks-audit': 3, cloudtrail: 3, guardduty: 2, inspector: 0 });
  });
});

describe('replaying exports', () => {
  it('counts CloudTrail Insights records as skipped, not rejected', async () => {
    const result = await replayFiles([join(EXPORTS, 'cloudtrail-insights.json')], { config: defaultConfig });
    expect(result.rejected).toEqual([]);
    expect(result.stats).toMatchObject({ insightsSkipped: 1, events: 1 });
  });

  it('reads every export in the fixtures folder without a rejection, and names the cluster from them', async () => {
    const files = [
      'logs-filter-log-events.json',
      'logs-s3-export-000000.gz',
      'logs-insights-results.csv',
      'cloudtrail-lake-query-results.json',
      'security-hub-guardduty-findings.json',
      'inspector2-finding-events.jsonl',
      'inspector2-list-findings.json',
      'ecr-describe-image-scan-findings.json',
    ].map((name) => join(EXPORTS, name));
    const result = await replayFiles(files, { config: defaultConfig });
    expect(result.rejected).toEqual([]);
    expect(result.stats.eventsBySource).toMatchObject({ 'eks-audit': 6, cloudtrail: 2, guardduty: 1 });
    expect(result.stats.eventsBySource.inspector).toBeGreaterThan(0);
    expect(result.notes).toEqual([expect.stringContaining('prod-east')]);
  });
});
