import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { meteredResponses } from '#adapters/metered-responses';
import { MemoryResponseStore } from '#adapters/memory-responses';
import { openResponse, withActions, withStatus } from '#core/respond/response';

describe('meteredResponses', () => {
  it('emits each KPI once, from what the stored change added', async () => {
    const metrics = new Metrics({ namespace: 'pivotguard-test', serviceName: 'pivotguard-containment' });
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const store = meteredResponses(new MemoryResponseStore([openResponse('inc-1', '2026-11-21T02:00:00.000Z')]), metrics);
    const applied = {
      action: 'isolate-pod' as const,
      incidentId: 'inc-1',
      target: 'c/ns/pod',
      startedAt: '2026-11-21T02:00:05.000Z',
      finishedAt: '2026-11-21T02:00:07.000Z',
      result: 'applied' as const,
      detail: 'd',
    };
    await store.updateResponse('inc-1', (current) => withActions(current!, [applied]));
    await store.updateResponse('inc-1', (current) => withActions(current!, [applied]));
    await store.updateResponse('inc-1', (current) => withStatus(current!, { to: 'resolved', by: 'alice', at: '2026-11-21T03:00:00.000Z' }));
    const calls = addMetric.mock.calls.map(([name, , value]) => [name, value]);
    expect(calls).toEqual([
      ['TimeToFirstContainment', 7000],
      ['ActionsApplied', 1],
      ['IncidentsResolved', 1],
      ['TimeToResolve', 3600_000],
    ]);
  });
});
