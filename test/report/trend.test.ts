import { describe, expect, it } from 'vitest';
import { computeKpis } from '#core/report/kpis';
import { compareKpis } from '#core/report/trend';
import { HOUR, MINUTE, after, incident, response } from './fixtures.ts';

const now = new Date('2026-12-02T00:00:00Z');
const resolvedAfter = (id: string, openedAt: string, ms: number) =>
  response(id, openedAt, {
    status: 'resolved',
    alerts: [{ at: openedAt, kind: 'opened', severity: 'high' }],
    history: [{ at: after(openedAt, ms), by: 'alice', from: 'open', to: 'resolved' }],
  });

// October: two incidents, detected after 10 minutes, resolved after 1 hour, none contained.
const octoberSeen = ['2026-10-05T00:00:00Z', '2026-10-06T00:00:00Z'];
// November: one incident, detected after 4 minutes, resolved after 3 hours, none contained.
const novemberSeen = '2026-11-05T00:00:00Z';
const incidents = [...octoberSeen.map((seen, index) => incident(`oct-${index}`, seen)), incident('nov', novemberSeen)];
const responses = [
  ...octoberSeen.map((seen, index) => resolvedAfter(`oct-${index}`, after(seen, 10 * MINUTE), HOUR)),
  {
    ...resolvedAfter('nov', after(novemberSeen, 4 * MINUTE), 3 * HOUR),
    alerts: [
      { at: after(novemberSeen, 4 * MINUTE), kind: 'opened' as const, severity: 'high' },
      { at: after(novemberSeen, 9 * MINUTE), kind: 'escalated' as const, severity: 'critical' },
    ],
  },
];
const month = (from: string, to: string) => computeKpis({ incidents, responses, suppressions: [], from: new Date(from), to: new Date(to), now });

describe('compareKpis', () => {
  it('gives each headline figure its delta and whether that is better, worse or the same: lower is better', () => {
    const trend = compareKpis(month('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'), month('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'));
    const byKey = Object.fromEntries(trend.map((entry) => [entry.key, entry]));
    expect(byKey.incidents).toMatchObject({ current: 1, previous: 2, delta: -1, direction: 'better' });
    expect(byKey.alerts).toMatchObject({ current: 2, previous: 2, delta: 0, direction: 'same' });
    expect(byKey.timeToDetect).toMatchObject({ current: 4 * MINUTE, previous: 10 * MINUTE, delta: -6 * MINUTE, direction: 'better' });
    expect(byKey.timeToResolve).toMatchObject({ current: 3 * HOUR, previous: HOUR, delta: 2 * HOUR, direction: 'worse' });
    expect(byKey.timeToFirstContainment).toMatchObject({ current: null, previous: null, delta: null, direction: 'no-data' });
    expect(byKey.falsePositiveRate).toMatchObject({ current: 0, previous: 0, delta: 0, direction: 'same' });
  });

  it('says there is no trend when the month before had no data', () => {
    const empty = month('2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z');
    const trend = compareKpis(month('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'), empty);
    const byKey = Object.fromEntries(trend.map((entry) => [entry.key, entry]));
    expect(byKey.incidents).toMatchObject({ current: 2, previous: 0, direction: 'worse' });
    expect(byKey.timeToDetect).toMatchObject({ current: 10 * MINUTE, previous: null, delta: null, direction: 'no-data' });
    expect(byKey.falsePositiveRate?.direction).toBe('no-data');
  });
});
