import { describe, expect, it } from 'vitest';
import { configSchema } from '#core/config';
import type { AuditEvent, CloudTrailEvent, SecurityEvent } from '#core/model/event';
import { Pipeline } from '#core/pipeline';
import { normalizeAll } from '../fixtures/normalize.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { cloudTrailRecord, podCreate, podObject } from '../fixtures/records.ts';
import { memoryStore } from '../fixtures/store.ts';

/** Events that break link's and detect's assumptions, as a bug in either would meet a record. */
function brokenEvents(): { linkBreaker: SecurityEvent; ruleBreaker: SecurityEvent } {
  const [cloudTrail, audit] = normalizeAll([
    cloudTrailRecord(),
    podCreate(podObject({ name: 'web-1', node: 'ip-10-0-9-9.ec2.internal' }), '2026-11-21T02:00:00Z'),
  ]) as [CloudTrailEvent, AuditEvent];
  return {
    linkBreaker: { ...cloudTrail, identity: undefined } as unknown as SecurityEvent,
    ruleBreaker: { ...audit, groups: undefined } as unknown as SecurityEvent,
  };
}

async function incidentsAndRejections(events: SecurityEvent[]) {
  const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
  const rejected: { eventId: string; code: string; reason: string }[] = [];
  const signals = await pipeline.ingest(events, (event, rejection) => rejected.push({ eventId: event.eventId, ...rejection }));
  return { signals, rejected, incidents: (await pipeline.correlate()).incidents };
}

describe('Pipeline.ingest with an event it cannot link or check', () => {
  it('reports that event with its code and reason, and builds the same incidents from the others', async () => {
    const good = normalizeAll(pivotScenario());
    const { linkBreaker, ruleBreaker } = brokenEvents();
    const alone = await incidentsAndRejections(good);
    const mixed = await incidentsAndRejections([...good.slice(0, 3), linkBreaker, ...good.slice(3), ruleBreaker]);

    expect(mixed.rejected).toEqual([
      { eventId: linkBreaker.eventId, code: 'internal-error', reason: expect.stringMatching(/^internal error: TypeError: /) },
      {
        eventId: ruleBreaker.eventId,
        code: 'internal-error',
        reason: expect.stringMatching(/^internal error: RuleFailed: rule eks-audit\.[a-z-]+ failed: TypeError: /),
      },
    ]);
    expect(mixed.signals.map((signal) => signal.id).sort()).toEqual(alone.signals.map((signal) => signal.id).sort());
    expect(mixed.incidents).toEqual(alone.incidents);
    expect(mixed.incidents[0]?.severity).toBe('critical');
  });

  it('leaves out all of a rejected event: none of its facts reach the graph', async () => {
    const { ruleBreaker } = brokenEvents();
    const store = memoryStore();
    // A pod create: linked alone, it puts the pod in the graph.
    await new Pipeline(store, configSchema.parse({})).ingest([{ ...ruleBreaker, groups: [] } as SecurityEvent]);
    expect(store.get('pod|prod-east|payments|web-1')).toBeDefined();
    const untouched = memoryStore();
    await new Pipeline(untouched, configSchema.parse({})).ingest([ruleBreaker], () => {});
    expect(untouched.get('pod|prod-east|payments|web-1')).toBeUndefined();
  });

  it('still throws when the store fails: that is the batch to retry, not a record to set aside', async () => {
    const failing = { ...memoryStore(), applyFacts: () => Promise.reject(new Error('store down')) };
    const pipeline = new Pipeline(failing as unknown as ReturnType<typeof memoryStore>, configSchema.parse({}));
    await expect(pipeline.ingest(normalizeAll(pivotScenario()), () => {})).rejects.toThrow('store down');
  });
});
