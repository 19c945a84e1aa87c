import { describe, expect, it } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { Pipeline } from '#core/pipeline';
import { configSchema } from '#core/config';
import { CLUSTER, auditEvent } from '../fixtures/records.ts';
import { memoryStore } from '../fixtures/store.ts';

const refused = (second: number) =>
  auditEvent({
    verb: 'list',
    requestReceivedTimestamp: `2026-11-21T03:0${Math.floor(second / 60)}:${String(second % 60).padStart(2, '0')}.000000Z`,
    user: { username: 'system:serviceaccount:shop:web', groups: ['system:serviceaccounts'] },
    sourceIPs: ['10.0.9.9'],
    objectRef: { resource: 'secrets', namespace: 'kube-system', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 403 },
    annotations: { 'authorization.k8s.io/decision': 'forbid' },
  });

async function incidentsOf(records: unknown[]) {
  const out = emptyOutput();
  records.forEach((record, index) => normalizeValue(record, index + 1, { file: 't', defaultCluster: CLUSTER }, out));
  const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
  await pipeline.ingest(out.events);
  return (await pipeline.correlate()).incidents;
}

describe('a burst of weak probes', () => {
  it('opens a medium incident when one identity is refused five times within minutes', async () => {
    const incidents = await incidentsOf([0, 40, 80, 120, 200, 260].map(refused));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ severity: 'medium', title: 'Probing burst by system:serviceaccount:shop:web', workload: expect.objectContaining({ namespace: 'shop' }) });
    expect(incidents[0]!.explanation).toMatch(/^6 refused or discovery calls by system:serviceaccount:shop:web within 4 minutes/);
  });

  it('leaves a few refusals as context', async () => {
    expect(await incidentsOf([0, 40, 80, 120].map(refused))).toEqual([]);
  });
});
