import { describe, expect, it } from 'vitest';
import { MemoryStore } from '#adapters/memory-store';
import { nodeKey } from '#core/model/graph';

const HOUR = 3600_000;
const start = Date.parse('2026-11-16T00:00:00Z');

describe('MemoryStore retention (event time, like a DynamoDB TTL)', () => {
  it('forgets access keys and sessions once expired and past two windows, pods only after the graph retention', () => {
    const store = new MemoryStore({ graphRetentionMs: 7 * 24 * HOUR, windowMs: HOUR });
    const pod = nodeKey.pod('c', 'ns', 'web-1');
    const key = nodeKey.accessKey('ASIAEXAMPLE000000001');
    store.applyFactsNow([
      { key: pod, time: start, eventId: 'a', edges: [key], attrs: { serviceAccount: 'web' } },
      { key, time: start, eventId: 'a', edges: [pod] },
    ]);
    // Time moves on through other records.
    for (let hour = 1; hour <= 48; hour++) store.applyFactsNow([{ key: nodeKey.node('c', 'n1'), time: start + hour * HOUR, eventId: `n${hour}` }]);
    expect(store.get(key)).toBeUndefined();
    expect(store.get(pod)?.attrs.serviceAccount?.value).toBe('web');
    expect(store.get(pod)?.edges[key]).toBeUndefined();
    for (let hour = 49; hour <= 8 * 24; hour++) store.applyFactsNow([{ key: nodeKey.node('c', 'n1'), time: start + hour * HOUR, eventId: `n${hour}` }]);
    expect(store.get(pod)).toBeUndefined();
    expect(store.get(nodeKey.node('c', 'n1'))).toBeDefined();
  });

  it('forgets a deleted pod three windows after its deletion', () => {
    const store = new MemoryStore({ graphRetentionMs: 7 * 24 * HOUR, windowMs: HOUR });
    const gone = nodeKey.pod('c', 'ns', 'old-1');
    const alive = nodeKey.pod('c', 'ns', 'new-1');
    store.applyFactsNow([
      { key: gone, time: start, eventId: 'a', attrs: { deleted: true } },
      { key: alive, time: start, eventId: 'b', attrs: { serviceAccount: 'web' } },
    ]);
    for (let hour = 1; hour <= 72; hour++) store.applyFactsNow([{ key: nodeKey.node('c', 'n1'), time: start + hour * HOUR, eventId: `n${hour}` }]);
    expect(store.get(gone)).toBeUndefined();
    expect(store.get(alive)).toBeDefined();
  });

  it('keeps the newest revision of a signal', async () => {
    const store = new MemoryStore({ graphRetentionMs: HOUR, windowMs: 24 * 3600_000 });
    const signal = {
      id: 's',
      rule: 'r',
      title: 't',
      source: 'guardduty' as const,
      time: 1,
      eventId: 'f',
      summary: 'count 1',
      severity: 'high' as const,
      objective: { tactic: 'x', technique: 'y' },
      subject: {},
      evidence: {},
    };
    await store.putSignals([{ ...signal, revision: 2, summary: 'count 3' }]);
    await store.putSignals([{ ...signal, revision: 1 }]);
    expect((await store.signalsBetween(0, 10)).map((kept) => kept.summary)).toEqual(['count 3']);
  });
});
