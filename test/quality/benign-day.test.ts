import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayFiles } from '#adapters/local-replay';
import { configSchema } from '#core/config';
import { severityRank } from '#core/model/signal';
import { generateBusyCluster } from '../../bench/generate.ts';
import { PLATFORM_ADMIN_GROUP } from '../../bench/generate/platform-controllers.ts';

// One simulated day of a busy production cluster: controllers, kubelets, CoreDNS, CI rollouts,
// pods' own AWS calls from the NAT gateways, developers' kubectl in dev and staging, and the
// platform's tools: kube-state-metrics and cert-manager watching every secret, ArgoCD syncing
// RBAC, Helm into kube-system by a platform administrator, a nightly Prowler scan, Terraform.
const RECORDS = 105_000;

// The default configuration, plus the one thing only the site knows: who its platform administrators are.
const config = configSchema.parse({ platformAdmins: { groups: [PLATFORM_ADMIN_GROUP] } });

describe('a benign day of a busy cluster', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replays without a single high or critical incident, with the default configuration and the platform team named', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pivotguard-benign-'));
    const path = join(dir, 'benign-day.jsonl');
    const out = createWriteStream(path);
    for (const line of generateBusyCluster({ records: RECORDS, seed: 11, includeFindings: true })) {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const result = await replayFiles([path], { config, cluster: 'busy-1' });
    expect(result.stats.events).toBe(RECORDS);
    expect(result.rejected).toEqual([]);
    const loud = result.incidents.filter((incident) => severityRank[incident.severity] >= severityRank.high);
    expect(loud.map((incident) => `${incident.severity} ${incident.title}`)).toEqual([]);
    // The day is not silent: routine reads were seen and kept as context, never as alerts.
    expect(result.stats.signals).toBeGreaterThan(0);
    expect(result.stats.contextOnlyGroups).toBeGreaterThan(0);
  }, 60_000);
});
