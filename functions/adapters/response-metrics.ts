import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Incident } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import type { IncidentResponse, UndoneRecord } from '#core/respond/response';

/**
 * The response KPIs as CloudWatch metrics (EMF through Powertools), computed from what the
 * response record says changed. The same definitions as the weekly report (core/report/kpis.ts);
 * durations are milliseconds. A duration that comes out negative (clocks of different sources)
 * is not emitted: it would only drag the percentiles.
 */

// 'already-applied' (found in place) and 'skipped' changed nothing and are not counted.
const RESULT_METRIC: Partial<Record<ActionRecord['result'], string>> = {
  applied: 'ActionsApplied',
  failed: 'ActionsFailed',
  'dry-run': 'ActionsDryRun',
};

const UNDO_METRIC: Partial<Record<UndoneRecord['result'], string>> = {
  undone: 'ActionsUndone',
  failed: 'UndosFailed',
};

/** The analyzer opened `incident` and recorded `response` for it: how long detection took, and where the time went. */
export function incidentOpenedMetrics(metrics: Metrics, incident: Incident, response: IncidentResponse): void {
  const opened = Date.parse(response.openedAt);
  const firstSeen = Date.parse(incident.firstSeen);
  const received = Date.parse(response.firstRecordReceivedAt ?? '');
  addDuration(metrics, 'TimeToDetect', opened - firstSeen);
  addDuration(metrics, 'DeliveryLag', received - firstSeen);
  addDuration(metrics, 'ProcessingTime', opened - received);
  // A metric of its own: a severity dimension on the shared instance would attach to every other metric of the batch.
  const bySeverity = metrics.singleMetric();
  bySeverity.addDimension('severity', incident.severity);
  bySeverity.addMetric('IncidentsBySeverity', MetricUnit.Count, 1);
}

/**
 * What changed between two versions of a response, as the containment side sees it: the first
 * containment, new step outcomes, new undos, and the incident being closed. `before` is undefined
 * when the response did not exist yet.
 */
export function containmentMetrics(metrics: Metrics, before: IncidentResponse | undefined, after: IncidentResponse): void {
  const opened = Date.parse(after.openedAt);
  if (after.firstContainedAt && !before?.firstContainedAt) {
    addDuration(metrics, 'TimeToFirstContainment', Date.parse(after.firstContainedAt) - opened);
  }

  const actionKey = (record: ActionRecord) => `${record.action}|${record.target}|${record.startedAt}`;
  const knownActions = new Set(before?.actions.map(actionKey));
  countBy(
    metrics,
    after.actions.filter((record) => !knownActions.has(actionKey(record))).map((record) => RESULT_METRIC[record.result]),
  );

  const undoKey = (record: UndoneRecord) => `${record.action}|${record.target}|${record.at}`;
  const knownUndos = new Set(before?.undone.map(undoKey));
  countBy(
    metrics,
    after.undone.filter((record) => !knownUndos.has(undoKey(record))).map((record) => UNDO_METRIC[record.result]),
  );

  if (before?.status === after.status) return;
  const closing = after.history.at(-1);
  if (after.status === 'resolved') {
    metrics.addMetric('IncidentsResolved', MetricUnit.Count, 1);
    if (closing) addDuration(metrics, 'TimeToResolve', Date.parse(closing.at) - opened);
  } else if (after.status === 'false-positive') {
    metrics.addMetric('IncidentsDismissed', MetricUnit.Count, 1);
    if (closing) addDuration(metrics, 'TimeToDismiss', Date.parse(closing.at) - opened);
  }
}

function addDuration(metrics: Metrics, name: string, ms: number): void {
  if (Number.isFinite(ms) && ms >= 0) metrics.addMetric(name, MetricUnit.Milliseconds, ms);
}

function countBy(metrics: Metrics, names: readonly (string | undefined)[]): void {
  const counts = new Map<string, number>();
  for (const name of names) if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [name, count] of counts) metrics.addMetric(name, MetricUnit.Count, count);
}
