import { readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayFiles } from '#adapters/local-replay';
import { readJsonItems } from '#adapters/record-files';
import { configSchema, defaultConfig } from '#core/config';
import { UNNAMED_CLUSTER } from '#core/normalize/cluster-names';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { loadConfig } from '../../bin/cli/load-config.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { auditEvent } from '../fixtures/records.ts';

async function tempFile(name: string, records: unknown[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'pivotguard-replay-')), name);
  await writeFile(path, records.map((record) => JSON.stringify(record)).join('\n'));
  return path;
}

/** The pivot scenario split as exports come: raw audit JSON Lines (no log group) apart from GuardDuty and CloudTrail. */
async function splitPivot(): Promise<{ audit: string; findingsAndTrail: string }> {
  const records = pivotScenario();
  return {
    audit: await tempFile('audit.jsonl', [...records.filter((record) => record.kind === 'Event'), execIntoPod()]),
    findingsAndTrail: await tempFile(
      'findings-and-trail.jsonl',
      records.filter((record) => record.kind !== 'Event'),
    ),
  };
}

/** A person's shell in a pod: an incident of its own, whose workload names the cluster it was read under. */
function execIntoPod(): Record<string, unknown> {
  return auditEvent({
    verb: 'create',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    requestURI: '/api/v1/namespaces/web/pods/storefront-1/exec?command=sh',
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'web', name: 'storefront-1', apiVersion: 'v1' },
  });
}

const clustersOf = (result: Awaited<ReturnType<typeof replayFiles>>) => [...new Set(result.incidents.map((incident) => incident.workload.cluster))];

describe('raw audit events without --cluster', () => {
  it('take the cluster a GuardDuty finding in a later file names, and the pivot stays one incident', async () => {
    const { audit, findingsAndTrail } = await splitPivot();
    const result = await replayFiles([audit, findingsAndTrail], { config: defaultConfig });
    expect(result.rejected).toEqual([]);
    expect(result.incidents.map((incident) => incident.severity)).toEqual(['critical', 'medium']);
    expect(new Set(result.incidents[0]!.signals.map((signal) => signal.source))).toEqual(new Set(['eks-audit', 'guardduty', 'cloudtrail']));
    expect(clustersOf(result)).toEqual(['prod-east']);
    expect(result.notes).toEqual([expect.stringContaining('prod-east')]);
    expect(result.stats.auditEventsWithInferredCluster).toBe(4);
  });

  it("take the configuration's only cluster when no record names one", async () => {
    const { audit } = await splitPivot();
    const config = configSchema.parse({ clusters: { 'staging-west': {} } });
    const result = await replayFiles([audit], { config });
    expect(result.rejected).toEqual([]);
    expect(result.notes).toEqual([expect.stringContaining('staging-west')]);
    expect(clustersOf(result)).toEqual(['staging-west']);
  });

  it('prefer what the records say to the configuration', async () => {
    const { audit, findingsAndTrail } = await splitPivot();
    const config = configSchema.parse({ clusters: { 'staging-west': {} } });
    const result = await replayFiles([audit, findingsAndTrail], { config });
    expect(clustersOf(result)).toEqual(['prod-east']);
    expect(result.notes).toHaveLength(1);
  });

  it('are read under a placeholder, said once, when nothing names their cluster', async () => {
    const { audit } = await splitPivot();
    const again = await tempFile('more-audit.jsonl', [execIntoPod()]);
    const result = await replayFiles([audit, again], { config: defaultConfig });
    expect(result.rejected).toEqual([]);
    expect(result.stats.eventsBySource['eks-audit']).toBe(5);
    expect(result.notes).toEqual([expect.stringContaining(UNNAMED_CLUSTER)]);
    expect(clustersOf(result)).toEqual([UNNAMED_CLUSTER]);
  });

  it('wait on disk past the memory bound, with the same outcome', async () => {
    const { audit, findingsAndTrail } = await splitPivot();
    const inMemory = await replayFiles([audit, findingsAndTrail], { config: defaultConfig });
    const onDisk = await replayFiles([audit, findingsAndTrail], { config: defaultConfig, maxHeldUnclustered: 1 });
    expect(onDisk.rejected).toEqual([]);
    expect(onDisk.incidents).toEqual(inMemory.incidents);
    expect(onDisk.stats).toEqual(inMemory.stats);
  });

  it('are not second-guessed when --cluster names it', async () => {
    const { audit, findingsAndTrail } = await splitPivot();
    const result = await replayFiles([audit, findingsAndTrail], { config: defaultConfig, cluster: 'prod-east' });
    expect(result.notes).toEqual([]);
    expect(result.stats.auditEventsWithInferredCluster).toBe(0);
  });
});

describe('the seed scenario without --cluster', () => {
  const example = join(import.meta.dirname, '../../examples/seed-scenario');
  const records = join(example, 'records');
  const seedFiles = readdirSync(records)
    .sort()
    .map((name) => join(records, name));

  /** The weekend's subscription payload unwrapped to raw audit JSON Lines, so that no log group names the cluster. */
  async function rawWeekendAudit(): Promise<string> {
    const file = join(records, 'eks-audit-weekend.cwl.json');
    const out = emptyOutput();
    for await (const items of readJsonItems(file))
      for (const item of items) if ('value' in item) normalizeValue(item.value, item.where, { file, defaultCluster: 'any' }, out);
    return tempFile(
      'eks-audit-weekend.jsonl',
      out.events.map((event) => event.raw),
    );
  }

  it('still tells ONE critical incident, the same as with --cluster prod-east', async () => {
    const config = await loadConfig(join(example, 'pivotguard.yaml'));
    const files = [...seedFiles.filter((file) => !file.endsWith('.cwl.json')), await rawWeekendAudit()];
    const withoutCluster = await replayFiles(files, { config });
    const withCluster = await replayFiles(seedFiles, { config, cluster: 'prod-east' });
    expect(withoutCluster.rejected).toEqual([]);
    expect(withoutCluster.incidents).toHaveLength(1);
    expect(withoutCluster.incidents[0]!.severity).toBe('critical');
    expect(withoutCluster.incidents).toEqual(withCluster.incidents);
    expect(withoutCluster.notes).toHaveLength(1);
  });
});
