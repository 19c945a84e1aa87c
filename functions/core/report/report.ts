import type { Suppression } from '#core/config';
import type { Incident, IncidentWorkload } from '#core/model/incident';
import { type Severity, severityRank } from '#core/model/signal';
import type { IncidentResponse, IncidentStatus } from '#core/respond/response';
import { monthPeriod, previousMonth } from './calendar.ts';
import { type ExpiringSuppression, type Kpis, type RuleKpi, computeKpis } from './kpis.ts';
import { statusAt } from './lifecycle.ts';
import { type IncidentNarrative, incidentNarrative } from './narrative.ts';
import { type TrendEntry, compareKpis } from './trend.ts';

/** The table of rules stops here; the rest are in the KPIs. */
const TOP_RULES = 10;

export interface ReportInput {
  /** "YYYY-MM", a calendar month in UTC. */
  month: string;
  incidents: readonly Incident[];
  responses: readonly IncidentResponse[];
  suppressions: readonly Suppression[];
  now: Date;
  /** Why this month was chosen, when the person did not name it; shown under the title. */
  monthNote?: string;
}

export interface ReportIncident {
  id: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  openedAt: string;
  workload: Pick<IncidentWorkload, 'cluster' | 'namespace' | 'pod'>;
  narrative: IncidentNarrative;
  /** Opened in an earlier month and still open or contained at the end of this one. */
  carriedOver: boolean;
}

/** Everything the monthly review shows, as plain JSON: render it, store it, or diff it. */
export interface ReportData {
  month: string;
  monthNote?: string;
  period: { from: string; to: string };
  generatedAt: string;
  kpis: Kpis;
  previous: { month: string; kpis: Kpis };
  trend: TrendEntry[];
  topRules: RuleKpi[];
  expiringSuppressions: ExpiringSuppression[];
  /** This month's, most severe first, then in the order they opened; then those still open from earlier months. */
  incidents: ReportIncident[];
}

export function buildReport(input: ReportInput): ReportData {
  const period = monthPeriod(input.month);
  const before = previousMonth(input.month);
  const kpis = computeKpis({ ...input, ...period });
  const previous = computeKpis({ ...input, ...monthPeriod(before) });
  const responses = new Map(input.responses.map((response) => [response.incidentId, response]));
  const inPeriod = (iso: string) => Date.parse(iso) >= period.from.getTime() && Date.parse(iso) < period.to.getTime();
  // The month as it ended, or as it is now while it is still running.
  const asOf = Math.min(period.to.getTime() - 1, input.now.getTime());
  const stillOpen = (response: IncidentResponse | undefined) => ['open', 'contained'].includes(statusAt(response, asOf));
  const incidents = input.incidents
    .map((incident) => {
      const response = responses.get(incident.id);
      const openedAt = response?.openedAt ?? incident.firstSeen;
      return { incident, response, openedAt, carriedOver: Date.parse(openedAt) < period.from.getTime() };
    })
    .filter(({ openedAt, response, carriedOver }) => inPeriod(openedAt) || (carriedOver && stillOpen(response)))
    .sort(
      (a, b) =>
        Number(a.carriedOver) - Number(b.carriedOver) ||
        severityRank[b.incident.severity] - severityRank[a.incident.severity] ||
        Date.parse(a.openedAt) - Date.parse(b.openedAt) ||
        a.incident.id.localeCompare(b.incident.id),
    )
    .map(({ incident, response, openedAt, carriedOver }) => ({
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      status: statusAt(response, input.now.getTime()),
      openedAt,
      workload: { cluster: incident.workload.cluster, namespace: incident.workload.namespace, pod: incident.workload.pod },
      narrative: incidentNarrative(incident, response),
      carriedOver,
    }));
  return {
    month: input.month,
    ...(input.monthNote ? { monthNote: input.monthNote } : {}),
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    generatedAt: input.now.toISOString(),
    kpis,
    previous: { month: before, kpis: previous },
    trend: compareKpis(kpis, previous),
    topRules: kpis.rules.slice(0, TOP_RULES),
    expiringSuppressions: kpis.suppressions.expiring,
    incidents,
  };
}
