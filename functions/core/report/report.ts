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
}

export interface ReportIncident {
  id: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  openedAt: string;
  workload: Pick<IncidentWorkload, 'cluster' | 'namespace' | 'pod'>;
  narrative: IncidentNarrative;
}

/** Everything the monthly review shows, as plain JSON: render it, store it, or diff it. */
export interface ReportData {
  month: string;
  period: { from: string; to: string };
  generatedAt: string;
  kpis: Kpis;
  previous: { month: string; kpis: Kpis };
  trend: TrendEntry[];
  topRules: RuleKpi[];
  expiringSuppressions: ExpiringSuppression[];
  /** Most severe first, then in the order they opened. */
  incidents: ReportIncident[];
}

export function buildReport(input: ReportInput): ReportData {
  const period = monthPeriod(input.month);
  const before = previousMonth(input.month);
  const kpis = computeKpis({ ...input, ...period });
  const previous = computeKpis({ ...input, ...monthPeriod(before) });
  const responses = new Map(input.responses.map((response) => [response.incidentId, response]));
  const inPeriod = (iso: string) => Date.parse(iso) >= period.from.getTime() && Date.parse(iso) < period.to.getTime();
  const incidents = input.incidents
    .map((incident) => {
      const response = responses.get(incident.id);
      return { incident, response, openedAt: response?.openedAt ?? incident.firstSeen };
    })
    .filter(({ openedAt }) => inPeriod(openedAt))
    .sort(
      (a, b) =>
        severityRank[b.incident.severity] - severityRank[a.incident.severity] ||
        Date.parse(a.openedAt) - Date.parse(b.openedAt) ||
        a.incident.id.localeCompare(b.incident.id),
    )
    .map(({ incident, response, openedAt }) => ({
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      status: statusAt(response, input.now.getTime()),
      openedAt,
      workload: { cluster: incident.workload.cluster, namespace: incident.workload.namespace, pod: incident.workload.pod },
      narrative: incidentNarrative(incident, response),
    }));
  return {
    month: input.month,
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
