import type { Kpis } from './kpis.ts';

export type TrendDirection = 'better' | 'worse' | 'same' | 'no-data';

export interface TrendEntry {
  key: HeadlineKey;
  label: string;
  unit: 'count' | 'ms' | 'rate';
  current: number | null;
  previous: number | null;
  /** current - previous, in the entry's unit (a rate's delta is in points of 0..1). */
  delta: number | null;
  direction: TrendDirection;
}

export type HeadlineKey = 'incidents' | 'alerts' | 'timeToDetect' | 'timeToFirstContainment' | 'timeToResolve' | 'falsePositiveRate';

interface Headline {
  key: HeadlineKey;
  label: string;
  unit: TrendEntry['unit'];
  value: (kpis: Kpis) => number | null;
}

/** Lower is better for all of them: fewer incidents and alerts to handle, shorter times, fewer false alarms. */
const HEADLINES: readonly Headline[] = [
  { key: 'incidents', label: 'Incidents', unit: 'count', value: (kpis) => kpis.incidents.opened },
  { key: 'alerts', label: 'Alerts sent', unit: 'count', value: (kpis) => kpis.alertsSent },
  { key: 'timeToDetect', label: 'Mean time to detect', unit: 'ms', value: (kpis) => kpis.detection.timeToDetect.meanMs },
  { key: 'timeToFirstContainment', label: 'Mean time to first containment', unit: 'ms', value: (kpis) => kpis.containment.timeToFirstContainment.meanMs },
  { key: 'timeToResolve', label: 'Mean time to resolve', unit: 'ms', value: (kpis) => kpis.resolution.timeToResolve.meanMs },
  { key: 'falsePositiveRate', label: 'False-positive rate', unit: 'rate', value: (kpis) => kpis.falsePositiveRate },
];

export function compareKpis(current: Kpis, previous: Kpis): TrendEntry[] {
  return HEADLINES.map(({ key, label, unit, value }) => {
    const now = value(current);
    const before = value(previous);
    const delta = now === null || before === null ? null : now - before;
    return { key, label, unit, current: now, previous: before, delta, direction: directionOf(delta) };
  });
}

function directionOf(delta: number | null): TrendDirection {
  if (delta === null) return 'no-data';
  if (delta === 0) return 'same';
  return delta < 0 ? 'better' : 'worse';
}
