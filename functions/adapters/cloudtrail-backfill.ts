import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SecurityEvent } from '#core/model/event';
import type { Incident } from '#core/model/incident';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import type { Pipeline } from '#core/pipeline';
import { type IncidentChange, isOlderVersion } from '#core/store/store';
import { type Enrichment, accessKeysToBackfill } from './enrichment/index.ts';
import { errorName } from './error-name.ts';

export interface BackfillDeps {
  pipeline: Pipeline;
  clock: () => Date;
  logger: Logger;
  metrics: Metrics;
  /** A looked-up record the core rejected: it has no message to dead-letter. */
  onRejected: (event: SecurityEvent, rejection: { code: string; reason: string }) => void;
}

/** CloudTrail LookupEvents allows 2 calls a second per account and Region. */
const MAX_BACKFILL_KEYS = 5;
/** How far before an incident's first signal its credentials' calls are looked up. */
const BACKFILL_LEAD_MS = 3600_000;

/**
 * What CloudTrail adds about the incidents a batch raised: the calls their credentials made that
 * never reached the event bus, looked up, run through the core and folded into the batch's
 * changes. Never fails: the changes are stored already, and a retried batch would find none, so
 * a failed lookup leaves them as the batch showed them.
 */
export async function withBackfill(changes: IncidentChange[], enrichment: Enrichment, deps: BackfillDeps): Promise<IncidentChange[]> {
  const { pipeline, logger, metrics } = deps;
  try {
    const backfilled = await lookUp(changes, enrichment, deps);
    if (backfilled.length === 0) return changes;
    metrics.addMetric('BackfilledRecords', MetricUnit.Count, backfilled.length);
    const again = await pipeline.analyze(backfilled, deps.onRejected);
    metrics.addMetric('Signals', MetricUnit.Count, again.signals.length);
    return mergeChanges(changes, again.changes, again.incidents);
  } catch (error) {
    logger.error('Backfill from CloudTrail failed; alerting on what the batch showed', error as Error);
    return changes;
  }
}

async function lookUp(changes: IncidentChange[], enrichment: Enrichment, { clock, logger, metrics }: BackfillDeps): Promise<SecurityEvent[]> {
  const source = enrichment.sessionBackfill;
  const incidents = changes.map((change) => change.incident);
  const keys = source ? accessKeysToBackfill(incidents, MAX_BACKFILL_KEYS) : [];
  if (!source || keys.length === 0) return [];
  const window = { from: new Date(Math.min(...incidents.map((incident) => Date.parse(incident.firstSeen))) - BACKFILL_LEAD_MS), to: clock() };
  const out = emptyOutput();
  // One key at a time: LookupEvents is throttled per account.
  for (const accessKeyId of keys) {
    try {
      const records = await source.recentCalls(accessKeyId, window);
      records.forEach((record, index) => normalizeValue(record, `${accessKeyId}[${index}]`, { file: 'cloudtrail-lookup', now: window.to.getTime() }, out));
    } catch (error) {
      logger.warn('CloudTrail lookup failed', { accessKeyId, error: errorName(error) });
    }
  }
  if (out.rejected.length > 0) {
    logger.warn('CloudTrail lookup returned records the core rejected', { rejected: out.rejected.slice(0, 5) });
    metrics.addMetric('RejectedRecords', MetricUnit.Count, out.rejected.length);
  }
  return out.events;
}

/**
 * Changes from the backfill round fold into the first round's: an incident opened and then
 * escalated in the same batch is one "opened" alert at its final severity.
 */
export function mergeChanges(first: IncidentChange[], second: IncidentChange[], latest: Incident[]): IncidentChange[] {
  const byId = new Map(first.map((change) => [change.incident.id, change]));
  for (const change of second) {
    const earlier = byId.get(change.incident.id);
    byId.set(change.incident.id, earlier ? { ...earlier, incident: change.incident } : change);
  }
  for (const incident of latest) {
    const change = byId.get(incident.id);
    if (change && !isOlderVersion(incident, change.incident)) byId.set(incident.id, { ...change, incident });
  }
  return [...byId.values()];
}
