import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Config } from '#core/config';
import type { RejectedRecord, RejectionCode, SecurityEvent } from '#core/model/event';
import { sanitize } from '#core/detect/actors';
import type { Incident } from '#core/model/incident';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { boundedReason } from '#core/normalize/rejection';
import { Pipeline } from '#core/pipeline';
import { severityRank } from '#core/model/signal';
import { type AlertText, alertText } from '#core/respond/alert-text';
import { type ExecutionKind, type IncidentResponse, type WorkflowExecution, actionKey, openResponse, uncoveredPlan, withExecution } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import { type IncidentChange, type Store, isOlderVersion } from '#core/store/store';
import { AlertPublisher } from '#adapters/alert-publisher';
import { revisionName } from '#adapters/containment/execution-names';
import type { ContainmentStarter } from '#adapters/containment/workflow-starter';
import { type Enrichment, accessKeysToBackfill, enrichIncident, forBatch } from '#adapters/enrichment/index';
import { incidentOpenedMetrics } from '#adapters/response-metrics';
import type { ExportedIncident, FindingExporter } from '#adapters/security-hub';

/**
 * SQS batch -> normalize -> link -> detect -> correlate -> alert. A record the core rejects,
 * whether it fails to normalize or makes linking or a rule fail, goes to the dead-letter queue
 * with its reason and code and never holds back the good records next to it; only a failure of
 * the store returns the batch to SQS, which is safe because the core is idempotent; an alert
 * goes out once per incident, change and severity, however often a batch is delivered.
 */

export interface AnalyzerDeps {
  store: Store;
  config: Config;
  clients: { sqs: SQSClient; sns: SNSClient; eventBridge: EventBridgeClient };
  targets: { deadLetterQueueUrl: string; alertTopicArn: string; eventBusName: string };
  enrichment: Enrichment;
  /** Where alert deliveries are remembered (DynamoDB in the stack). */
  idempotencyStore: BasePersistenceLayer;
  powertools: { logger: Logger; metrics: Metrics; tracer: Tracer };
  clock?: () => Date;
  /**
   * The analyzer's own role: its enrichment calls and its use of pivotguard's key come back
   * through the CloudTrail rule, and are dropped rather than analyzed.
   */
  ownRoleArn?: string;
  /** Where the incident's response (open time, alerts, containment) is recorded. */
  responses?: ResponseStore;
  /** Starts containment for incidents at or above `config.actions.containFrom`. */
  containment?: ContainmentStarter;
  /** Mirrors alerted incidents as findings (Security Hub when deployed with it). */
  securityHub?: FindingExporter;
}

export type AnalyzerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What makes two deliveries of an alert the same alert. */
interface AlertKey {
  incidentId: string;
  change: IncidentChange['change'];
  severity: string;
  channel: Channel;
}

/** What one message carried: events for the core, and records set aside on the way. */
interface MessageContents {
  events: SecurityEvent[];
  rejected: RejectedRecord[];
}

interface Delivery {
  change: IncidentChange;
  text: AlertText;
  /** Set once the message left: tells a lost idempotency record from a lost message. */
  sent: boolean;
}

type Channel = 'email' | 'event';

/** Longer than SQS keeps a message (at most 14 days): a redelivery always finds the record. */
const ALERT_MEMORY_SECONDS = 14 * 86400;
/** CloudTrail LookupEvents allows 2 calls a second per account and Region. */
const MAX_BACKFILL_KEYS = 5;
/** How far before an incident's first signal its credentials' calls are looked up. */
const BACKFILL_LEAD_MS = 3600_000;
/** SQS message attribute values are kept short; the body carries the record itself. */
const MAX_ATTRIBUTE_CHARS = 1000;

export function createAnalyzer(deps: AnalyzerDeps): AnalyzerHandler {
  const { logger, metrics, tracer } = deps.powertools;
  const clock = deps.clock ?? (() => new Date());
  const dryRun = deps.config.actions.dryRun === true;
  const pipeline = new Pipeline(deps.store, deps.config);
  const processor = new BatchProcessor(EventType.SQS);
  const publisher = new AlertPublisher({
    sns: deps.clients.sns,
    eventBridge: deps.clients.eventBridge,
    topicArn: deps.targets.alertTopicArn,
    eventBusName: deps.targets.eventBusName,
  });

  const idempotencyConfig = new IdempotencyConfig({ expiresAfterSeconds: ALERT_MEMORY_SECONDS });
  const sendDirect = (channel: Channel, delivery: Delivery) =>
    channel === 'email' ? publisher.sendEmail(delivery.change, delivery.text) : publisher.sendEvent(delivery.change);
  // The channel is part of the hashed key (not the key prefix, which the persistence layer
  // holds as shared state): the email and the event are remembered apart, so a failed event is
  // retried without sending the email again.
  const sendOnce = makeIdempotent(
    async (key: AlertKey, delivery: Delivery) => {
      const result = await sendDirect(key.channel, delivery);
      delivery.sent = true;
      return result;
    },
    { persistenceStore: deps.idempotencyStore, config: idempotencyConfig, keyPrefix: 'pivotguard.alert', dataIndexArgument: 0 },
  );

  /** Parses and normalizes one message; what is rejected is dead-lettered after the core has run. */
  const readMessage = (record: SQSRecord): MessageContents => {
    let value: unknown;
    try {
      value = JSON.parse(record.body);
    } catch {
      return { events: [], rejected: [{ file: 'sqs', record: 'body', reason: boundedReason(`message body is not JSON: ${excerpt(record.body)}`), code: 'not-json' }] };
    }
    const out = emptyOutput();
    normalizeValue(value, 'body', { file: 'sqs', now: clock().getTime() }, out);
    const events = deps.ownRoleArn ? out.events.filter((event) => !(event.source === 'cloudtrail' && event.identity.roleArn === deps.ownRoleArn)) : out.events;
    return { events, rejected: out.rejected };
  };

  /**
   * The original body goes to the dead-letter queue whole: redriving it re-reads its good records
   * too, which the core absorbs as duplicates. Needs sqs:SendMessage on the dead-letter queue.
   */
  const deadLetter = async (record: SQSRecord, rejected: RejectedRecord[]) => {
    const first = rejected[0]!;
    const reason = rejected.length > 1 ? `${first.reason} (and ${rejected.length - 1} more)` : first.reason;
    // Every distinct code, so a redrive tool can tell pivotguard's faults (internal-error) from bad input.
    const codes = [...new Set(rejected.flatMap((entry) => (entry.code ? [entry.code] : [])))].join(',');
    await deps.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.targets.deadLetterQueueUrl,
        MessageBody: record.body,
        MessageAttributes: {
          reason: textAttribute(reason),
          ...(codes ? { code: textAttribute(codes) } : {}),
          sourceMessageId: textAttribute(record.messageId),
          rejectedRecords: textAttribute(rejected.map((entry) => entry.record).join(', ')),
          sourceQueue: textAttribute(record.eventSourceARN),
        },
      }),
    );
    logger.warn('Record rejected; message sent to the dead-letter queue', {
      sourceMessageId: record.messageId,
      reason,
      code: codes,
      rejectedRecords: rejected.length,
    });
    metrics.addMetric('RejectedRecords', MetricUnit.Count, rejected.length);
  };

  /**
   * The core over the batch, then over what CloudTrail adds about the incidents it raised. An
   * event the core cannot link or check goes to `onRejected`; the others still make incidents.
   */
  const runCore = async (events: SecurityEvent[], enrichment: Enrichment, onRejected: (event: SecurityEvent, rejection: RejectedRecord) => void): Promise<IncidentChange[]> => {
    const { signals, changes } = await pipeline.analyze(events, (event, rejection) => onRejected(event, coreRejection(event, rejection)));
    metrics.addMetric('Signals', MetricUnit.Count, signals.length);
    // The changes are stored: from here nothing may fail the batch, or a retry would find no
    // change and the alert would be lost.
    try {
      const backfilled = await backfill(changes, enrichment);
      if (backfilled.length === 0) return changes;
      metrics.addMetric('BackfilledRecords', MetricUnit.Count, backfilled.length);
      // Looked-up records have no message to dead-letter: a rejected one is logged and counted.
      const again = await pipeline.analyze(backfilled, (event, rejection) => {
        logger.warn('CloudTrail lookup returned a record the core rejected', { rejected: coreRejection(event, rejection) });
        metrics.addMetric('RejectedRecords', MetricUnit.Count, 1);
      });
      metrics.addMetric('Signals', MetricUnit.Count, again.signals.length);
      return mergeChanges(changes, again.changes, again.incidents);
    } catch (error) {
      logger.error('Backfill from CloudTrail failed; alerting on what the batch showed', error as Error);
      return changes;
    }
  };

  const backfill = async (changes: IncidentChange[], enrichment: Enrichment): Promise<SecurityEvent[]> => {
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
  };

  /** Fills the blast radius, renders the text, and sends both channels, each at most once. */
  const alert = async (change: IncidentChange, enrichment: Enrichment, receivedAt: string | undefined): Promise<ExportedIncident> => {
    const incidentId = change.incident.id;
    let full = change;
    try {
      const enriched = await enrichIncident(change.incident, enrichment);
      if (enriched.problems.length > 0) logger.warn('Some enrichment lookups failed', { incidentId, problems: enriched.problems });
      full = { ...change, incident: enriched.incident };
    } catch (error) {
      // Context is a bonus; the alert is not.
      logger.error('Enrichment failed; alerting without it', { incidentId, error: errorName(error) });
    }
    const text = alertText(full);
    const channels: Channel[] = ['email', 'event'];
    await Promise.all(channels.map((channel) => deliver({ incidentId, change: change.change, severity: change.incident.severity, channel }, full, text)));
    return { incident: full.incident, response: await respond(full, receivedAt) };
  };

  /**
   * Records when the incident opened and was alerted on, then starts containment if it is severe
   * enough. Returns the response as last recorded (undefined without a response store).
   */
  const respond = async (change: IncidentChange, receivedAt: string | undefined): Promise<IncidentResponse | undefined> => {
    const { incident } = change;
    const at = clock().toISOString();
    const opened: IncidentResponse = { ...openResponse(incident.id, at), ...(receivedAt ? { firstRecordReceivedAt: receivedAt } : {}) };
    let response: IncidentResponse | undefined;
    try {
      response = await deps.responses?.updateResponse(incident.id, (current) => recordAlert(current ?? opened, change, at));
      // Only the invocation that opened the response measures detection: a redelivery finds it opened earlier.
      if (change.change === 'opened' && (response ?? opened).openedAt === at) incidentOpenedMetrics(metrics, incident, response ?? opened);
      if (!deps.containment || severityRank[incident.severity] < severityRank[deps.config.actions.containFrom]) return response;
      response = (await contain(deps.containment, incident, response, at)) ?? response;
    } catch (error) {
      // The alert went out; a person can still contain by hand. Say so loudly.
      metrics.addMetric('ContainmentsNotStarted', MetricUnit.Count, 1);
      logger.error('Could not record the response or start containment', { incidentId: incident.id, error: errorName(error) });
    }
    return response;
  };

  /**
   * Starts an execution for what the plan holds that no execution of the incident took on yet:
   * the whole plan first, then a revision for each escalation that adds steps (a new session,
   * role or pod). Names are deterministic, so a redelivered batch starts nothing twice.
   */
  const contain = async (starter: ContainmentStarter, incident: Incident, response: IncidentResponse | undefined, at: string): Promise<IncidentResponse | undefined> => {
    if (response?.workflow) return extend(starter, incident, response, at);
    const plan = uncoveredPlan(incident.plan, response);
    const { execution, started } = await starter.start({ ...incident, plan }, dryRun);
    if (!started) {
      // Another analyzer started the first execution from its own snapshot. What it covers is what it recorded; not
      // recorded yet, a revision takes on the whole plan: what the first did is found done, what it proposed is not asked twice.
      logger.info('Containment started by another analyzer', { incidentId: incident.id, execution });
      return extend(starter, incident, await deps.responses?.getResponse(incident.id), at);
    }
    logger.info('Containment started', { incidentId: incident.id, execution });
    metrics.addMetric('ContainmentsStarted', MetricUnit.Count, 1);
    return recordExecution(incident.id, { execution, startedAt: at, dryRun, covers: planKeys(plan) }, 'first');
  };

  /** A revision for the steps no execution took on yet, if there are any. */
  const extend = async (starter: ContainmentStarter, incident: Incident, response: IncidentResponse | undefined, at: string): Promise<IncidentResponse | undefined> => {
    const plan = uncoveredPlan(incident.plan, response);
    const covers = planKeys(plan);
    if (covers.length === 0) return response;
    const { execution, started } = await starter.start({ ...incident, plan }, dryRun, revisionName(incident.id, covers));
    logger.info(started ? 'Containment extended' : 'Containment already extended', { incidentId: incident.id, execution, covers });
    if (started) metrics.addMetric('ContainmentsExtended', MetricUnit.Count, 1);
    // Recorded even when it existed: its name says what it covers, and whoever started it may have stopped before recording it.
    return recordExecution(incident.id, { execution, startedAt: at, dryRun, covers }, 'revision');
  };

  const recordExecution = (incidentId: string, execution: WorkflowExecution, kind: ExecutionKind) =>
    deps.responses?.updateResponse(incidentId, (current) => withExecution(current ?? openResponse(incidentId, execution.startedAt), execution, kind));

  /** Mirrors the alerted incidents as findings. The alerts went out: a failure here is logged and counted, never retried through the batch. */
  const exportFindings = async (incidents: ExportedIncident[]): Promise<void> => {
    if (!deps.securityHub || incidents.length === 0) return;
    try {
      const { imported, failed } = await deps.securityHub.export(incidents);
      metrics.addMetric('FindingsExported', MetricUnit.Count, imported);
      if (failed.length > 0) {
        metrics.addMetric('FindingsNotExported', MetricUnit.Count, failed.length);
        logger.error('Security Hub did not take some findings', { failed: failed.slice(0, 10), count: failed.length });
      }
    } catch (error) {
      metrics.addMetric('FindingsNotExported', MetricUnit.Count, incidents.length);
      logger.error('Could not export findings to Security Hub', { error: errorName(error) });
    }
  };

  const deliver = async (key: AlertKey, change: IncidentChange, text: AlertText): Promise<void> => {
    const { channel } = key;
    const delivery: Delivery = { change, text, sent: false };
    try {
      await sendOnce(key, delivery);
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        logger.info('Alert is being sent by another invocation', { ...key });
        return;
      }
      if (error instanceof IdempotencyPersistenceLayerError && !delivery.sent) {
        // Twice is better than never for a security alert.
        logger.warn('Alert idempotency store unavailable; sending without it', { ...key, error: errorName(error) });
        try {
          await sendDirect(channel, delivery);
          delivery.sent = true;
        } catch (retryError) {
          await undeliverable(key, change, text, retryError);
          return;
        }
      } else if (!delivery.sent) {
        await undeliverable(key, change, text, error);
        return;
      }
    }
    if (delivery.sent) {
      logger.info('Alert sent', { ...key });
      metrics.addMetric('AlertsSent', MetricUnit.Count, 1);
    } else {
      logger.info('Alert already sent for this change; not sending again', { ...key });
      metrics.addMetric('AlertsDeduplicated', MetricUnit.Count, 1);
    }
  };

  /**
   * The incident is stored, so a retried batch would not raise this change again: an alert that
   * cannot be sent is parked in the dead-letter queue for a person, rather than lost.
   */
  const undeliverable = async (key: AlertKey, change: IncidentChange, text: AlertText, error: unknown) => {
    const { channel } = key;
    metrics.addMetric('AlertsFailed', MetricUnit.Count, 1);
    logger.error('Alert could not be sent; parking it in the dead-letter queue', { ...key, error: errorName(error) });
    try {
      await deps.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.targets.deadLetterQueueUrl,
          MessageBody: JSON.stringify({ undeliveredAlert: { ...key, previousSeverity: change.previousSeverity, subject: text.subject, body: text.body } }),
          MessageAttributes: {
            reason: textAttribute(`alert not delivered by ${channel}: ${errorName(error)}`),
            incidentId: textAttribute(key.incidentId),
          },
        }),
      );
    } catch (parkError) {
      metrics.addMetric('AlertsLost', MetricUnit.Count, 1);
      logger.error('Alert lost: neither sent nor parked', { ...key, error: errorName(parkError) });
    }
  };

  const analyze = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    idempotencyConfig.registerLambdaContext(context);
    const enrichment = forBatch(deps.enrichment);
    const contents = new Map<string, MessageContents>();
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        contents.set(record.messageId, readMessage(record));
      },
      processor,
      { context, throwOnFullBatchFailure: false },
    );
    const retry = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const read = event.Records.flatMap((record) => {
      const content = contents.get(record.messageId);
      return content && !retry.has(record.messageId) ? [{ record, ...content }] : [];
    });
    const carriers = read.filter((message) => message.events.length > 0);
    const events = carriers.flatMap((message) => message.events);
    metrics.addMetric('Records', MetricUnit.Count, event.Records.length);
    metrics.addMetric('Events', MetricUnit.Count, events.length);

    const messageOf = new Map(carriers.flatMap((message) => message.events.map((carried) => [carried, message] as const)));
    // Undefined when the core did not run or the store failed: nothing to alert on.
    let changes: IncidentChange[] | undefined;
    if (events.length > 0) {
      try {
        changes = await runCore(events, enrichment, (rejectedEvent, rejection) => messageOf.get(rejectedEvent)?.rejected.push(rejection));
      } catch (error) {
        logger.error('The core failed on this batch; SQS will deliver its messages again', error as Error);
        metrics.addMetric('BatchesRetried', MetricUnit.Count, 1);
        // A retried message is read again whole: its rejected records are dead-lettered then.
        for (const message of carriers) retry.add(message.record.messageId);
      }
    }
    // Each message once, with everything set aside from it; one that cannot be parked is retried.
    await Promise.all(
      read
        .filter((message) => message.rejected.length > 0 && !retry.has(message.record.messageId))
        .map(async (message) => {
          try {
            await deadLetter(message.record, message.rejected);
          } catch (error) {
            logger.error('Could not send a rejected record to the dead-letter queue; SQS will deliver it again', { sourceMessageId: message.record.messageId, error: errorName(error) });
            retry.add(message.record.messageId);
          }
        }),
    );
    const batchResponse: SQSBatchResponse = { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) };
    if (!changes) return batchResponse;

    metrics.addMetric('IncidentsOpened', MetricUnit.Count, changes.filter((change) => change.change === 'opened').length);
    metrics.addMetric('IncidentsEscalated', MetricUnit.Count, changes.filter((change) => change.change === 'escalated').length);
    // When the records reached pivotguard: the queue's SentTimestamp of the batch's earliest carrier.
    const sent = carriers.map((message) => Number(message.record.attributes.SentTimestamp));
    const earliest = Math.min(...sent.filter(Number.isFinite));
    const receivedAt = Number.isFinite(earliest) ? new Date(earliest).toISOString() : undefined;
    const alerted = await Promise.all(changes.map((change) => alert(change, enrichment, receivedAt)));
    await exportFindings(alerted);
    return batchResponse;
  };

  return middy(analyze)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as AnalyzerHandler;
}

/**
 * Changes from the backfill round fold into the first round's: an incident opened and then
 * escalated in the same batch is one "opened" alert at its final severity.
 */
function mergeChanges(first: IncidentChange[], second: IncidentChange[], latest: Incident[]): IncidentChange[] {
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

/** SQS refuses control characters outside tab, CR and LF in attribute values. */
function textAttribute(value: string) {
  const clean = value.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/gu, '?');
  return { DataType: 'String', StringValue: clean.length > MAX_ATTRIBUTE_CHARS ? `${clean.slice(0, MAX_ATTRIBUTE_CHARS - 1)}…` : clean };
}

/** An event the core set aside, named by its source and id (its place in the message is the normalizer's to know). */
function coreRejection(event: SecurityEvent, rejection: { code: string; reason: string }): RejectedRecord {
  // The pipeline reports only RejectionCodes; its callback is typed loosely for its other callers.
  return { file: 'sqs', record: `${event.source} event ${sanitize(event.eventId, 100)}`, reason: rejection.reason, code: rejection.code as RejectionCode };
}

function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function errorName(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}

/** Adds the alert once: a redelivered batch finds it recorded. */
function recordAlert(response: IncidentResponse, change: IncidentChange, at: string): IncidentResponse {
  const known = response.alerts.some((alert) => alert.kind === change.change && alert.severity === change.incident.severity);
  return known ? response : { ...response, alerts: [...response.alerts, { at, kind: change.change, severity: change.incident.severity }] };
}

/** What a plan's steps are, as executions record what they cover. */
function planKeys(plan: Incident['plan']): string[] {
  return [...plan.automatic, ...plan.approval].map(actionKey);
}
