import { describe, expect, it } from 'vitest';
import { factsFor } from '#core/link/index';
import { nodeKey } from '#core/model/graph';
import { imageVulnerabilityKey } from '#core/model/vulnerability';
import { retentionFor } from '#core/store/retention';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import type { SecurityEvent } from '#core/model/event';
import { memoryStore } from '../fixtures/store.ts';
import { shuffle } from '../fixtures/shuffle.ts';
import { XZ_DIGEST, XZ_FINDING, ecrScanFindingsOutput, inspectorFindingEvent } from '../fixtures/scenarios/inspector.ts';

const DIGEST = XZ_DIGEST;
const NOW = Date.parse('2026-11-23T00:00:00Z');
const XZ = XZ_FINDING;
const XZ_KEY = imageVulnerabilityKey(DIGEST, 'CVE-2024-3094', 'xz-utils');

function events(records: unknown[]): SecurityEvent[] {
  const out = emptyOutput();
  records.forEach((record, index) => normalizeValue(record, index + 1, { file: 'test', now: NOW }, out));
  expect(out.rejected).toEqual([]);
  return out.events;
}

function graphOf(records: unknown[]) {
  const store = memoryStore();
  for (const event of events(records)) store.applyFactsNow(factsFor(event));
  return store;
}

const attrsOf = (node: { attrs: Record<string, { value: unknown }> } | undefined) =>
  Object.fromEntries(Object.entries(node?.attrs ?? {}).map(([name, attr]) => [name, attr.value]));

describe('image facts', () => {
  it('puts the scan on the image by digest, with an edge to one node per vulnerable package', () => {
    const graph = graphOf([
      inspectorFindingEvent(XZ),
      inspectorFindingEvent({ ...XZ, vulnerabilityId: 'CVE-2023-38545', packageName: 'curl', severity: 'HIGH' }),
    ]);
    const image = graph.get(nodeKey.image(DIGEST));
    expect(attrsOf(image)).toEqual({
      repository: 'shop/checkout',
      registry: '111122223333',
      pushedAt: '2026-11-20T15:58:12.000Z',
      scannedAt: '2026-11-20T15:59:30.000Z',
    });
    expect(Object.keys(image?.edges ?? {}).sort()).toEqual([imageVulnerabilityKey(DIGEST, 'CVE-2023-38545', 'curl'), XZ_KEY]);
    expect(attrsOf(graph.get(XZ_KEY))).toEqual({
      installedVersion: '5.6.0',
      fixedVersion: '5.6.1+really5.4.5-1',
      severity: 'CRITICAL',
      inspectorScore: 10,
      exploitAvailable: true,
      networkReachable: true,
      firstObservedAt: '2026-11-20T15:59:30.000Z',
      status: 'ACTIVE',
      source: 'inspector',
      findingArn: expect.stringMatching(/^arn:aws:inspector2:/),
    });
  });

  it('takes a CLOSED finding as the status, in whatever order the events arrive', () => {
    const records = [inspectorFindingEvent(XZ), inspectorFindingEvent({ ...XZ, status: 'CLOSED', updatedAt: '2026-11-22T09:00:00Z' })];
    for (const order of [records, [...records].reverse(), shuffle(records, 7)]) {
      expect(graphOf(order).get(XZ_KEY)?.attrs.status?.value).toBe('CLOSED');
    }
  });

  it('records a clean scan on the image, with no vulnerability edge', () => {
    const graph = graphOf([ecrScanFindingsOutput({ digest: DIGEST, repository: 'shop/checkout', scannedAt: '2026-11-20T16:00:05Z', findings: [] })]);
    expect(graph.get(nodeKey.image(DIGEST))?.attrs.scannedAt?.value).toBe('2026-11-20T16:00:05.000Z');
    expect(graph.get(nodeKey.image(DIGEST))?.edges).toEqual({});
  });
});

describe('image retention', () => {
  const policy = { graphRetentionMs: 7 * 86400_000, windowMs: 86400_000 };

  it('keeps images and their vulnerabilities 30 days, longer than a shorter graph retention', () => {
    expect(retentionFor(nodeKey.image(DIGEST), policy)).toBe(30 * 86400_000);
    expect(retentionFor(XZ_KEY, policy)).toBe(30 * 86400_000);
    expect(retentionFor(nodeKey.image(DIGEST), { ...policy, graphRetentionMs: 90 * 86400_000 })).toBe(90 * 86400_000);
    expect(retentionFor(nodeKey.pod('prod', 'shop', 'checkout-1'), policy)).toBe(7 * 86400_000);
  });
});
