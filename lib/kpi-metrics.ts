import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ANALYZER_SERVICE } from './analyzer.ts';
import { APPROVAL_SERVICE, CONTAINMENT_SERVICE } from './containment.ts';

export { APPROVAL_SERVICE, CONTAINMENT_SERVICE };

/** The namespace every pivotguard function gives its Powertools metrics. */
export const KPI_NAMESPACE = 'pivotguard';

/**
 * Which function emits each KPI metric: Powertools adds the function's service name as the
 * `service` dimension, so a metric is only found under the service that emits it. Containment
 * steps and undo run in the containment function; people resolve and dismiss on the approval page.
 */
const SOURCE = {
  IncidentsOpened: ANALYZER_SERVICE,
  IncidentsEscalated: ANALYZER_SERVICE,
  IncidentsBySeverity: ANALYZER_SERVICE,
  AlertsSent: ANALYZER_SERVICE,
  AlertsFailed: ANALYZER_SERVICE,
  AlertsLost: ANALYZER_SERVICE,
  TimeToDetect: ANALYZER_SERVICE,
  DeliveryLag: ANALYZER_SERVICE,
  ProcessingTime: ANALYZER_SERVICE,
  ContainmentsStarted: ANALYZER_SERVICE,
  ContainmentsExtended: ANALYZER_SERVICE,
  ContainmentsNotStarted: ANALYZER_SERVICE,
  FindingsExported: ANALYZER_SERVICE,
  FindingsNotExported: ANALYZER_SERVICE,
  TimeToFirstContainment: CONTAINMENT_SERVICE,
  ActionsApplied: CONTAINMENT_SERVICE,
  ActionsFailed: CONTAINMENT_SERVICE,
  ActionsDryRun: CONTAINMENT_SERVICE,
  ActionsUndone: CONTAINMENT_SERVICE,
  UndosFailed: CONTAINMENT_SERVICE,
  IncidentsResolved: APPROVAL_SERVICE,
  IncidentsDismissed: APPROVAL_SERVICE,
  TimeToResolve: APPROVAL_SERVICE,
  TimeToDismiss: APPROVAL_SERVICE,
} as const;

export type KpiName = keyof typeof SOURCE;

export interface KpiMetricOptions {
  /** @default 'Sum' */
  readonly statistic?: string;
  /** @default one hour */
  readonly period?: Duration;
  readonly label?: string;
  /** Dimensions besides `service` (IncidentsBySeverity has `severity`). */
  readonly dimensions?: Record<string, string>;
}

export function kpiMetric(name: KpiName, options: KpiMetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: KPI_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SOURCE[name], ...options.dimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.hours(1),
    label: options.label,
  });
}

/** A millisecond KPI shown in minutes, which is how people think about response times. */
export function kpiMinutes(name: KpiName, statistic: string, options: { period?: Duration; label?: string } = {}): cloudwatch.MathExpression {
  // Ids must be unique within a widget: several of these share one graph.
  const id = `${name[0]!.toLowerCase()}${name.slice(1)}_${statistic.replace(/\W/g, '')}`;
  return new cloudwatch.MathExpression({
    expression: `${id} / 60000`,
    usingMetrics: { [id]: kpiMetric(name, { statistic, period: options.period }) },
    label: options.label ?? `${name} ${statistic} (minutes)`,
    period: options.period ?? Duration.hours(1),
  });
}
