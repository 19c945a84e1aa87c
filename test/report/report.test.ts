import { describe, expect, it } from 'vitest';
import { InvalidMonth } from '#core/report/calendar';
import { buildReport } from '#core/report/report';
import { HOUR, incident, response } from './fixtures.ts';
import { sampleMonth } from './sample-month.ts';

describe('buildReport', () => {
  it('covers the calendar month in UTC and compares it with the month before', () => {
    const report = buildReport({ month: '2026-11', ...sampleMonth() });
    expect(report.period).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    expect(report.previous.month).toBe('2026-10');
    expect(report.kpis.incidents.opened).toBe(7);
    expect(report.previous.kpis.incidents.opened).toBe(4);
    expect(report.trend.find((entry) => entry.key === 'incidents')).toMatchObject({ current: 7, previous: 4, delta: 3, direction: 'worse' });
  });

  it('reaches back into the previous year for January', () => {
    const report = buildReport({ month: '2027-01', incidents: [], responses: [], suppressions: [], now: new Date('2027-02-01T00:00:00Z') });
    expect(report.previous.month).toBe('2026-12');
    expect(report.previous.kpis.period.from).toBe('2026-12-01T00:00:00.000Z');
  });

  it('lists the month’s incidents most severe first, then in the order they opened, each with its narrative', () => {
    const report = buildReport({ month: '2026-11', ...sampleMonth() });
    expect(report.incidents.map((entry) => [entry.severity, entry.openedAt.slice(0, 10)])).toEqual([
      ['critical', '2026-11-21'],
      ['critical', '2026-11-30'],
      ['high', '2026-11-10'],
      ['high', '2026-11-27'],
      ['medium', '2026-11-02'],
      ['medium', '2026-11-16'],
      ['low', '2026-11-04'],
    ]);
    expect(report.incidents[0]!.narrative.done).toContain('alice@example.com approved');
    expect(report.incidents[1]!.status).toBe('open');
  });

  it('keeps the top rules and the suppressions about to expire', () => {
    const report = buildReport({ month: '2026-11', ...sampleMonth() });
    expect(report.topRules[0]).toMatchObject({ rule: 'cloudtrail.access-denied', incidents: 2, falsePositives: 2, falsePositiveRate: 1 });
    expect(report.expiringSuppressions.map((entry) => entry.owner)).toEqual(['carol@example.com', 'dana@example.com']);
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    const report = buildReport({ month: '2026-11', ...sampleMonth() });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('counts an incident with no response as open, from its first sighting', () => {
    const report = buildReport({
      month: '2026-11',
      incidents: [incident('inc-new', '2026-11-30T23:00:00Z'), incident('inc-dec', '2026-12-01T00:00:00Z')],
      responses: [response('inc-dec', '2026-12-01T00:00:00Z')],
      suppressions: [],
      now: new Date(Date.parse('2026-11-30T23:00:00Z') + HOUR),
    });
    expect(report.incidents.map((entry) => [entry.id, entry.status])).toEqual([['inc-new', 'open']]);
  });

  it('lists incidents from earlier months that are still open after this month’s, and only those', () => {
    const closed = response('inc-oct-closed', '2026-10-20T10:00:00Z', {
      status: 'resolved',
      history: [{ at: '2026-10-25T10:00:00Z', by: 'alice', from: 'open', to: 'resolved' }],
    });
    const report = buildReport({
      month: '2026-11',
      incidents: [
        incident('inc-oct-open', '2026-10-05T10:00:00Z'),
        incident('inc-oct-closed', '2026-10-20T10:00:00Z'),
        incident('inc-nov', '2026-11-03T10:00:00Z'),
      ],
      responses: [response('inc-oct-open', '2026-10-05T10:00:00Z'), closed, response('inc-nov', '2026-11-03T10:00:00Z')],
      suppressions: [],
      now: new Date('2026-12-02T00:00:00Z'),
    });
    expect(report.incidents.map((entry) => [entry.id, entry.carriedOver])).toEqual([
      ['inc-nov', false],
      ['inc-oct-open', true],
    ]);
    // The month's own figures stay the month's: the carried-over incident is not counted as opened.
    expect(report.kpis.incidents.opened).toBe(1);
  });

  it('carries the reason a month was chosen for the person, when one is given', () => {
    const report = buildReport({
      month: '2026-11',
      incidents: [],
      responses: [],
      suppressions: [],
      now: new Date('2026-12-02T00:00:00Z'),
      monthNote: 'chosen',
    });
    expect(report.monthNote).toBe('chosen');
    expect(buildReport({ month: '2026-11', incidents: [], responses: [], suppressions: [], now: new Date() })).not.toHaveProperty('monthNote');
  });

  it.each(['2026-13', '2026-1', 'November 2026', '2026-11-01', ''])('refuses the month %j with a clear error', (month) => {
    const build = () => buildReport({ month, incidents: [], responses: [], suppressions: [], now: new Date() });
    expect(build).toThrow(InvalidMonth);
    expect(build).toThrow(`the month must be written YYYY-MM, for example 2026-11; got ${JSON.stringify(month)}`);
  });
});
