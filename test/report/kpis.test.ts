import { describe, expect, it } from 'vitest';
import { type KpiInput, computeKpis } from '#core/report/kpis';
import { DAY, HOUR, MINUTE, action, after, incident, response, signal, suppression } from './fixtures.ts';

const NOVEMBER = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
const NOW = new Date('2026-12-02T09:00:00Z');

function kpis(input: Partial<KpiInput>) {
  return computeKpis({ incidents: [], responses: [], suppressions: [], ...NOVEMBER, now: NOW, ...input });
}

/** Every number anywhere in a value, to prove none is NaN or infinite. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('time to detect', () => {
  it('is the mean and median of openedAt - firstSeen, split into delivery and processing where the arrival is known', () => {
    const seen = ['2026-11-03T10:00:00Z', '2026-11-10T10:00:00Z', '2026-11-17T10:00:00Z'];
    const incidents = seen.map((firstSeen, index) => incident(`inc-${index}`, firstSeen));
    const responses = [
      // 5 minutes: 2 in delivery, 3 in pivotguard.
      response('inc-0', after(seen[0]!, 5 * MINUTE), { firstRecordReceivedAt: after(seen[0]!, 2 * MINUTE) }),
      // 10 minutes: 4 in delivery, 6 in pivotguard.
      response('inc-1', after(seen[1]!, 10 * MINUTE), { firstRecordReceivedAt: after(seen[1]!, 4 * MINUTE) }),
      // 30 minutes, arrival not recorded.
      response('inc-2', after(seen[2]!, 30 * MINUTE)),
    ];
    const { detection } = kpis({ incidents, responses });
    expect(detection.timeToDetect).toEqual({ count: 3, meanMs: ((5 + 10 + 30) / 3) * MINUTE, medianMs: 10 * MINUTE });
    expect(detection.timeToDetect.meanMs).toBe(15 * MINUTE);
    expect(detection.withReceiptTime).toBe(2);
    expect(detection.deliveryLag).toEqual({ count: 2, meanMs: 3 * MINUTE, medianMs: 3 * MINUTE });
    expect(detection.processing).toEqual({ count: 2, meanMs: 4.5 * MINUTE, medianMs: 4.5 * MINUTE });
  });

  it('leaves out an incident with no response: it has no recorded open time', () => {
    const result = kpis({ incidents: [incident('inc-lonely', '2026-11-05T00:00:00Z')] });
    expect(result.incidents).toMatchObject({ opened: 1, withoutResponse: 1, byStatus: { open: 1 } });
    expect(result.detection.timeToDetect).toEqual({ count: 0, meanMs: null, medianMs: null });
    expect(result.resolution.unresolved).toBe(1);
  });
});

describe('lifecycle: containment, resolution and what is still open', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const opened = {
    fresh: '2026-11-30T00:00:00Z',
    contained: '2026-11-20T08:00:00Z',
    resolved: '2026-11-10T08:00:00Z',
    dismissed: '2026-11-12T08:00:00Z',
  };
  const incidents = Object.entries(opened).map(([id, at]) => incident(id, after(at, -MINUTE)));
  const responses = [
    response('fresh', opened.fresh),
    response('contained', opened.contained, {
      status: 'contained',
      firstContainedAt: after(opened.contained, 3 * MINUTE),
      history: [{ at: after(opened.contained, 3 * MINUTE), by: 'pivotguard', from: 'open', to: 'contained' }],
    }),
    response('resolved', opened.resolved, {
      status: 'resolved',
      firstContainedAt: after(opened.resolved, 20 * MINUTE),
      history: [
        { at: after(opened.resolved, 20 * MINUTE), by: 'pivotguard', from: 'open', to: 'contained' },
        { at: after(opened.resolved, 2 * HOUR), by: 'alice@example.com', from: 'contained', to: 'resolved', reason: 'image rebuilt' },
      ],
    }),
    response('dismissed', opened.dismissed, {
      status: 'false-positive',
      history: [{ at: after(opened.dismissed, 30 * MINUTE), by: 'bob@example.com', from: 'open', to: 'false-positive', reason: 'load test' }],
    }),
  ];

  it('counts each status as of now', () => {
    expect(kpis({ incidents, responses, now }).incidents.byStatus).toEqual({ open: 1, contained: 1, resolved: 1, 'false-positive': 1 });
  });

  it('measures time to first containment over the contained incidents and counts the rest', () => {
    const { containment } = kpis({ incidents, responses, now });
    expect(containment.timeToFirstContainment).toEqual({ count: 2, meanMs: ((3 + 20) / 2) * MINUTE, medianMs: 11.5 * MINUTE });
    expect(containment.notContained).toBe(2);
  });

  it('keeps open incidents out of the time to resolve, and reports their age instead', () => {
    const { resolution } = kpis({ incidents, responses, now });
    expect(resolution.timeToResolve).toEqual({ count: 1, meanMs: 2 * HOUR, medianMs: 2 * HOUR });
    expect(resolution.timeToDismiss).toEqual({ count: 1, meanMs: 30 * MINUTE, medianMs: 30 * MINUTE });
    expect(resolution.unresolved).toBe(2);
    // 20 Nov 08:00 to 30 Nov 12:00.
    expect(resolution.oldestUnresolvedAgeMs).toBe(10 * DAY + 4 * HOUR);
    // The fresh one is 12 hours old.
    expect(resolution.unresolvedOver24h).toBe(1);
  });

  it('replays history as of now: a resolution recorded later does not count yet', () => {
    const earlier = new Date(after(opened.resolved, HOUR));
    const result = kpis({ incidents, responses, now: earlier });
    expect(result.incidents.byStatus.resolved).toBe(0);
    expect(result.incidents.byStatus.contained).toBeGreaterThan(0);
    expect(result.resolution.timeToResolve.count).toBe(0);
  });

  it('takes the last resolution of an incident that was reopened', () => {
    const at = '2026-11-04T00:00:00Z';
    const reopened = response('again', at, {
      status: 'resolved',
      history: [
        { at: after(at, HOUR), by: 'alice', from: 'open', to: 'resolved' },
        { at: after(at, 2 * HOUR), by: 'alice', from: 'resolved', to: 'open' },
        { at: after(at, 5 * HOUR), by: 'alice', from: 'open', to: 'resolved' },
      ],
    });
    const result = kpis({ incidents: [incident('again', at)], responses: [reopened] });
    expect(result.resolution.timeToResolve.meanMs).toBe(5 * HOUR);
  });
});

describe('false-positive rate per rule', () => {
  it('counts each incident once per rule, with the share dismissed, busiest rule first', () => {
    const at = '2026-11-05T00:00:00Z';
    const dismissed = (id: string) =>
      response(id, at, { status: 'false-positive', history: [{ at: after(at, HOUR), by: 'bob', from: 'open', to: 'false-positive' }] });
    const incidents = [
      incident('a', at, { signals: [signal('r1', at), signal('r2', at)] }),
      incident('b', at, { signals: [signal('r1', at)] }),
      incident('c', at, { signals: [signal('r1', at), signal('r1', after(at, MINUTE)), signal('r3', at)] }),
      incident('d', at, { signals: [signal('r2', at)] }),
    ];
    const responses = [response('a', at), dismissed('b'), dismissed('c'), response('d', at)];
    const result = kpis({ incidents, responses });
    expect(result.rules).toEqual([
      { rule: 'r1', title: 'Title of r1', incidents: 3, falsePositives: 2, falsePositiveRate: 2 / 3 },
      { rule: 'r2', title: 'Title of r2', incidents: 2, falsePositives: 0, falsePositiveRate: 0 },
      { rule: 'r3', title: 'Title of r3', incidents: 1, falsePositives: 1, falsePositiveRate: 1 },
    ]);
    expect(result.falsePositiveRate).toBe(2 / 4);
  });
});

describe('actions', () => {
  it('counts each result per step, and undos that actually undid something, within the period', () => {
    const at = '2026-11-08T00:00:00Z';
    const responses = [
      response('inc-1', at, {
        actions: [
          action('inc-1', 'capture-evidence', after(at, MINUTE), 'applied'),
          action('inc-1', 'isolate-pod', after(at, MINUTE), 'applied'),
          action('inc-1', 'revoke-role-sessions', after(at, MINUTE), 'already-applied'),
          action('inc-1', 'restart-pod', after(at, HOUR), 'dry-run'),
          action('inc-1', 'scale-down', after(at, HOUR), 'failed', 'the deployment was not found'),
          action('inc-1', 'cordon-node', after(at, HOUR), 'skipped', 'protected namespace'),
        ],
        undone: [
          { action: 'isolate-pod', target: 'prod-east/payments/inc-1', at: after(at, DAY), by: 'alice', result: 'undone', detail: 'label removed' },
          { action: 'revoke-role-sessions', target: 'role', at: after(at, DAY), by: 'alice', result: 'already-undone', detail: 'policy gone' },
        ],
      }),
      // October's step is not this month's work.
      response('inc-0', '2026-10-30T00:00:00Z', { actions: [action('inc-0', 'isolate-pod', '2026-10-30T00:01:00Z', 'applied')] }),
    ];
    const zero = { applied: 0, alreadyApplied: 0, dryRun: 0, failed: 0, skipped: 0, undone: 0 };
    expect(kpis({ responses }).actions).toEqual([
      { ...zero, action: 'capture-evidence', applied: 1 },
      { ...zero, action: 'isolate-pod', applied: 1, undone: 1 },
      { ...zero, action: 'revoke-role-sessions', alreadyApplied: 1 },
      { ...zero, action: 'restart-pod', dryRun: 1 },
      { ...zero, action: 'scale-down', failed: 1 },
      { ...zero, action: 'cordon-node', skipped: 1 },
    ]);
  });
});

describe('period boundaries', () => {
  it('includes an incident opened at `from` and excludes one opened at exactly `to`', () => {
    const { from, to } = NOVEMBER;
    const incidents = [
      incident('first', from.toISOString()),
      incident('last', after(to.toISOString(), -HOUR)),
      incident('december', after(to.toISOString(), -HOUR)),
    ];
    const responses = [
      response('first', from.toISOString(), { alerts: [{ at: from.toISOString(), kind: 'opened', severity: 'high' }] }),
      response('last', after(to.toISOString(), -1), { alerts: [{ at: after(to.toISOString(), -1), kind: 'opened', severity: 'high' }] }),
      response('december', to.toISOString(), { alerts: [{ at: to.toISOString(), kind: 'opened', severity: 'high' }] }),
    ];
    const result = kpis({ incidents, responses });
    expect(result.incidents.opened).toBe(2);
    expect(result.alertsSent).toBe(2);
  });

  it('counts alerts by when they were sent, even for an incident opened the month before', () => {
    const responses = [
      response('old', '2026-10-31T23:00:00Z', {
        alerts: [
          { at: '2026-10-31T23:00:00Z', kind: 'opened', severity: 'medium' },
          { at: '2026-11-01T01:00:00Z', kind: 'escalated', severity: 'high' },
        ],
      }),
    ];
    const result = kpis({ incidents: [incident('old', '2026-10-31T22:58:00Z')], responses });
    expect(result.incidents.opened).toBe(0);
    expect(result.alertsSent).toBe(1);
  });
});

describe('ISO weeks', () => {
  it('lists every week overlapping the month with its Monday, including those that start in the month before', () => {
    // 1 November 2026 is a Sunday: it belongs to the week of Monday 26 October.
    const incidents = [incident('sun', '2026-11-01T10:00:00Z'), incident('mon', '2026-11-02T10:00:00Z'), incident('end', '2026-11-30T23:00:00Z')];
    const responses = [
      response('sun', '2026-11-01T10:05:00Z', { alerts: [{ at: '2026-11-01T10:05:00Z', kind: 'opened', severity: 'high' }] }),
      response('mon', '2026-11-02T10:05:00Z'),
      response('end', '2026-11-30T23:05:00Z', {
        alerts: [
          { at: '2026-11-30T23:05:00Z', kind: 'opened', severity: 'high' },
          { at: '2026-11-30T23:30:00Z', kind: 'escalated', severity: 'critical' },
        ],
      }),
    ];
    expect(kpis({ incidents, responses }).weeks).toEqual([
      { week: '2026-W44', monday: '2026-10-26', incidents: 1, alerts: 1 },
      { week: '2026-W45', monday: '2026-11-02', incidents: 1, alerts: 0 },
      { week: '2026-W46', monday: '2026-11-09', incidents: 0, alerts: 0 },
      { week: '2026-W47', monday: '2026-11-16', incidents: 0, alerts: 0 },
      { week: '2026-W48', monday: '2026-11-23', incidents: 0, alerts: 0 },
      { week: '2026-W49', monday: '2026-11-30', incidents: 1, alerts: 2 },
    ]);
  });

  it('numbers the first days of January in the last ISO week of the year before', () => {
    const january = computeKpis({
      incidents: [],
      responses: [],
      suppressions: [],
      from: new Date('2027-01-01T00:00:00Z'),
      to: new Date('2027-02-01T00:00:00Z'),
      now: NOW,
    });
    expect(january.weeks[0]).toEqual({ week: '2026-W53', monday: '2026-12-28', incidents: 0, alerts: 0 });
    expect(january.weeks.map((week) => week.week)).toEqual(['2026-W53', '2027-W01', '2027-W02', '2027-W03', '2027-W04']);
    expect(january.weeks.at(-1)?.monday).toBe('2027-01-25');
  });
});

describe('an empty month', () => {
  it('reports zeros and nulls, never NaN', () => {
    const result = kpis({});
    expect(result.incidents.opened).toBe(0);
    expect(result.falsePositiveRate).toBeNull();
    expect(result.detection.timeToDetect).toEqual({ count: 0, meanMs: null, medianMs: null });
    expect(result.resolution.oldestUnresolvedAgeMs).toBeNull();
    expect(result.rules).toEqual([]);
    expect(result.weeks).toHaveLength(6);
    expect(numbersIn(result).every(Number.isFinite)).toBe(true);
  });
});

describe('suppressions', () => {
  it('sums suppressed signals of the month’s incidents', () => {
    const incidents = [
      incident('a', '2026-11-03T00:00:00Z', { suppressedSignals: 4 }),
      incident('b', '2026-11-04T00:00:00Z', { suppressedSignals: 3 }),
      incident('oct', '2026-10-04T00:00:00Z', { suppressedSignals: 50 }),
    ];
    expect(kpis({ incidents }).suppressions.suppressedSignals).toBe(7);
  });

  it('lists those expiring within 14 days of now and those already expired, soonest first, with owner and reason', () => {
    const now = NOW.toISOString();
    const soon = suppression(after(now, 13 * DAY), { owner: 'carol@example.com', reason: 'migration', namespace: 'batch', rule: undefined });
    const edge = suppression(after(now, 14 * DAY));
    const later = suppression(after(now, 15 * DAY));
    const gone = suppression(after(now, -2 * DAY), { owner: 'erin@example.com' });
    const { expiring } = kpis({ suppressions: [later, soon, edge, gone] }).suppressions;
    expect(expiring.map((entry) => [entry.owner, entry.expired, entry.expiresInMs])).toEqual([
      ['erin@example.com', true, -2 * DAY],
      ['carol@example.com', false, 13 * DAY],
      ['dana@example.com', false, 14 * DAY],
    ]);
    expect(expiring[1]).toMatchObject({ scope: { namespace: 'batch' }, reason: 'migration', expires: after(now, 13 * DAY) });
    expect(expiring[0]!.scope).toEqual({ rule: 'cloudtrail.secret-read' });
  });
});

describe('recurring root causes', () => {
  it('ranks rules, images (by digest when known), namespaces and roles by incident count, top five', () => {
    const at = '2026-11-06T00:00:00Z';
    const role = (name: string) => ({
      roleArn: `arn:aws:iam::111122223333:role/${name}`,
      via: 'irsa',
      sessions: [],
      accessKeyIds: [],
      sourceIps: [],
      unusualSourceIps: [],
    });
    const workload = (namespace: string, imageDigest: string | null) => ({ ...incident('x', at).workload, namespace, imageDigest });
    const incidents = [
      incident('a', at, { workload: workload('payments', 'sha256:aaa'), identities: [role('checkout'), role('checkout')] }),
      incident('b', at, { workload: workload('payments', 'sha256:aaa'), identities: [role('checkout')] }),
      incident('c', at, { workload: workload('batch', null), identities: [role('reports')] }),
      ...['n1', 'n2', 'n3', 'n4', 'n5'].map((namespace) => incident(namespace, at, { workload: workload(namespace, null) })),
    ];
    const { rootCauses } = kpis({ incidents });
    expect(rootCauses.images).toEqual([
      { name: 'registry.example/checkout:2.14.0', incidents: 6 },
      { name: 'sha256:aaa', incidents: 2, detail: 'registry.example/checkout:2.14.0' },
    ]);
    expect(rootCauses.roles).toEqual([
      { name: 'arn:aws:iam::111122223333:role/checkout', incidents: 2 },
      { name: 'arn:aws:iam::111122223333:role/reports', incidents: 1 },
    ]);
    expect(rootCauses.namespaces).toHaveLength(5);
    expect(rootCauses.namespaces[0]).toEqual({ name: 'payments', incidents: 2 });
    expect(rootCauses.rules).toEqual([{ name: 'eks-audit.exec-into-pod', incidents: 8 }]);
  });
});

describe('counts', () => {
  it('counts incidents by severity', () => {
    const at = '2026-11-06T00:00:00Z';
    const incidents = [incident('a', at, { severity: 'critical' }), incident('b', at, { severity: 'critical' }), incident('c', at, { severity: 'low' })];
    expect(kpis({ incidents }).incidents.bySeverity).toEqual({ critical: 2, high: 0, medium: 0, low: 1 });
  });
});
