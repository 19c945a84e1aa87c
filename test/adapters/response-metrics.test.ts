import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Incident } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { type IncidentResponse, openResponse, withActions, withStatus } from '#core/respond/response';
import { containmentMetrics, incidentOpenedMetrics } from '#adapters/response-metrics';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

type Emf = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
};

/**
 * A Powertools Metrics as the functions build it, with what it emits kept: the values added to
 * the shared instance, and the EMF documents its single-metric children print at once.
 */
function recordingMetrics() {
  const metrics = new Metrics({ namespace: 'pivotguard', serviceName: 'pivotguard' });
  const addMetric = vi.spyOn(metrics, 'addMetric');
  const emitted: Emf[] = [];
  const makeSingle = metrics.singleMetric.bind(metrics);
  vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    const single = makeSingle();
    vi.spyOn(single, 'publishStoredMetrics').mockImplementation(() => {
      emitted.push(single.serializeMetrics() as unknown as Emf);
      single.clearMetrics();
      return single;
    });
    return single;
  });
  const values = () => Object.fromEntries(addMetric.mock.calls.map(([name, unit, value]) => [name, { unit, value }]));
  return { metrics, addMetric, emitted, values };
}

let pivot: Incident;
const OPENED = '2026-11-21T03:00:00.000Z';

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
});

afterEach(() => {
  vi.restoreAllMocks();
});

function record(result: ActionRecord['result'], action: ActionRecord['action'], finishedAt: string): ActionRecord {
  return { action, incidentId: pivot.id, target: 'prod-east/payments/checkout', startedAt: finishedAt, finishedAt, result, detail: '' };
}

describe('incidentOpenedMetrics', () => {
  it('measures time to detect, split into delivery lag and processing, in milliseconds', () => {
    const { metrics, values } = recordingMetrics();
    // firstSeen 02:13:04, queued 02:30:00, opened 03:00:00
    incidentOpenedMetrics(metrics, pivot, { ...openResponse(pivot.id, OPENED), firstRecordReceivedAt: '2026-11-21T02:30:00.000Z' });
    expect(values()).toEqual({
      TimeToDetect: { unit: 'Milliseconds', value: (46 * 60 + 56) * 1000 },
      DeliveryLag: { unit: 'Milliseconds', value: (16 * 60 + 56) * 1000 },
      ProcessingTime: { unit: 'Milliseconds', value: 30 * 60 * 1000 },
    });
  });

  it('measures only time to detect when the queue arrival is unknown, and never a negative time', () => {
    const { metrics, values } = recordingMetrics();
    incidentOpenedMetrics(metrics, pivot, openResponse(pivot.id, OPENED));
    expect(Object.keys(values())).toEqual(['TimeToDetect']);
    const skewed = recordingMetrics();
    incidentOpenedMetrics(skewed.metrics, pivot, { ...openResponse(pivot.id, OPENED), firstRecordReceivedAt: '2026-11-21T02:00:00.000Z' });
    expect(Object.keys(skewed.values())).toEqual(['TimeToDetect', 'ProcessingTime']);
  });

  it('counts the incident by severity in a metric of its own, so the severity dimension stays off the batch metrics', () => {
    const { metrics, emitted } = recordingMetrics();
    incidentOpenedMetrics(metrics, pivot, openResponse(pivot.id, OPENED));
    expect(emitted).toHaveLength(1);
    const [emf] = emitted;
    expect(emf).toMatchObject({ service: 'pivotguard', severity: 'critical', IncidentsBySeverity: 1 });
    expect(emf!._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'pivotguard', Dimensions: [['service', 'severity']], Metrics: [{ Name: 'IncidentsBySeverity', Unit: 'Count' }] },
    ]);
    const shared = metrics.serializeMetrics() as unknown as Emf;
    expect(shared._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(shared).not.toHaveProperty('severity');
  });
});

describe('containmentMetrics', () => {
  const opened = openResponse('inc-1', OPENED);

  it('measures time to first containment once, when the first step changes something', () => {
    const { metrics, values } = recordingMetrics();
    const evidence = withActions(opened, [record('applied', 'capture-evidence', '2026-11-21T03:01:00.000Z')]);
    const isolated = withActions(evidence, [record('applied', 'isolate-pod', '2026-11-21T03:04:00.000Z')]);
    containmentMetrics(metrics, opened, evidence);
    expect(values().TimeToFirstContainment).toBeUndefined();
    containmentMetrics(metrics, evidence, isolated);
    expect(values().TimeToFirstContainment).toEqual({ unit: 'Milliseconds', value: 4 * 60_000 });
    const again = recordingMetrics();
    containmentMetrics(again.metrics, isolated, withActions(isolated, [record('applied', 'revoke-role-sessions', '2026-11-21T03:05:00.000Z')]));
    expect(again.values().TimeToFirstContainment).toBeUndefined();
  });

  it('counts only the new step outcomes: applied, failed and dry run', () => {
    const { metrics, addMetric } = recordingMetrics();
    const before = withActions(opened, [record('applied', 'capture-evidence', '2026-11-21T03:01:00.000Z')]);
    const after = withActions(before, [
      record('applied', 'isolate-pod', '2026-11-21T03:02:00.000Z'),
      record('failed', 'revoke-role-sessions', '2026-11-21T03:02:00.000Z'),
      record('failed', 'restart-pod', '2026-11-21T03:02:00.000Z'),
      record('dry-run', 'scale-down', '2026-11-21T03:02:00.000Z'),
      record('skipped', 'cordon-node', '2026-11-21T03:02:00.000Z'),
    ]);
    containmentMetrics(metrics, before, after);
    const counts = addMetric.mock.calls.filter(([, unit]) => unit === 'Count').map(([name, , value]) => [name, value]);
    expect(counts).toEqual([
      ['ActionsApplied', 1],
      ['ActionsFailed', 2],
      ['ActionsDryRun', 1],
    ]);
  });

  it('counts undos and failed undos that were not recorded before', () => {
    const { metrics, values } = recordingMetrics();
    const undo = { action: 'isolate-pod' as const, target: 'prod-east/payments/checkout', by: 'oncall', detail: '' };
    const before = { ...opened, undone: [{ ...undo, at: '2026-11-21T04:00:00.000Z', result: 'undone' as const }] };
    const after: IncidentResponse = {
      ...before,
      undone: [
        ...before.undone,
        { ...undo, at: '2026-11-21T04:10:00.000Z', result: 'undone' },
        { ...undo, action: 'revoke-role-sessions', at: '2026-11-21T04:10:00.000Z', result: 'failed' },
      ],
    };
    containmentMetrics(metrics, before, after);
    expect(values()).toMatchObject({ ActionsUndone: { value: 1 }, UndosFailed: { value: 1 } });
  });

  it('counts a resolved or dismissed incident with the time it took, once', () => {
    const contained = withStatus(opened, { to: 'contained', by: 'pivotguard', at: '2026-11-21T03:05:00.000Z' });
    const resolved = withStatus(contained, { to: 'resolved', by: 'oncall', at: '2026-11-21T05:00:00.000Z' });
    const one = recordingMetrics();
    containmentMetrics(one.metrics, contained, resolved);
    expect(one.values()).toEqual({ IncidentsResolved: { unit: 'Count', value: 1 }, TimeToResolve: { unit: 'Milliseconds', value: 2 * 3600_000 } });
    const repeat = recordingMetrics();
    containmentMetrics(repeat.metrics, resolved, resolved);
    expect(repeat.values()).toEqual({});

    const dismissed = withStatus(opened, { to: 'false-positive', by: 'oncall', at: '2026-11-21T03:30:00.000Z', reason: 'load test' });
    const other = recordingMetrics();
    containmentMetrics(other.metrics, opened, dismissed);
    expect(other.values()).toEqual({ IncidentsDismissed: { unit: 'Count', value: 1 }, TimeToDismiss: { unit: 'Milliseconds', value: 30 * 60_000 } });
  });

  it('treats a response that did not exist before as all new', () => {
    const { metrics, values } = recordingMetrics();
    containmentMetrics(metrics, undefined, withActions(opened, [record('applied', 'isolate-pod', '2026-11-21T03:02:00.000Z')]));
    expect(values()).toEqual({ TimeToFirstContainment: { unit: 'Milliseconds', value: 2 * 60_000 }, ActionsApplied: { unit: 'Count', value: 1 } });
  });
});
