import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Config } from '#core/config';
import type { RejectedRecord, RejectionCode, SecurityEvent } from '#core/model/event';
import { sanitize } from '#core/detect/actors';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { boundedReason } from '#core/normalize/rejection';
import { accountOf } from '#core/model/arn';
import { Pipeline } from '#core/pipeline';
import type { ResponseStore } from '#core/store/response-store';
import type { IncidentChange, Store } from '#core/store/store';
import { withBackfill } from '#adapters/cloudtrail-backfill';
import { withImageScans } from '#adapters/image-scan-backfill';
import type { ContainmentStarter } from '#adapters/containment/workflow-starter';
import { DeadLetterQueue } from '#adapters/dead-letter-queue';
import { type Enrichment, forBatch } from '#adapters/enrichment/index';
import { errorName } from '#adapters/error-name';
import { enrichForAlert } from '#adapters/respond/alert-enrichment';
import { analyzerResponder } from '#adapters/respond/analyzer-responder';
import type { FindingExporter } from '#adapters/security-hub';

/**
 * SQS batch -> normalize -> link -> detect -> correlate -> respond. A record the core rejects,
 * whether it fails to normalize or makes linking or a rule fail, goes to the dead-letter queue
 * with its reason and code and never holds back the good records next to it; only a failure of
 * the store returns the batch to SQS, which is safe because the core is idempotent. What follows
 * correlation (alerts, the response, containment, findings) is the Responder's.
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
  /** Starts containment for incidents severe enough (shouldContain). */
  containment?: ContainmentStarter;
  /** Mirrors alerted incidents as findings (Security Hub when deployed with it). */
  securityHub?: FindingExporter;
}

export type AnalyzerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What one message carried: events for the core, and records set aside on the way. */
interface MessageContents {
  events: SecurityEvent[];
  rejected: RejectedRecord[];
}

export function createAnalyzer(deps: AnalyzerDeps): AnalyzerHandler {
  const { logger, metrics, tracer } = deps.powertools;
  const clock = deps.clock ?? (() => new Date());
  // The analyzer's own account is home: its clusters keep their plain names, another account's are NAME@ACCOUNT.
  const pipeline = new Pipeline(deps.store, deps.config, { homeAccountId: accountOf(deps.ownRoleArn) });
  const processor = new BatchProcessor(EventType.SQS);
  const deadLetters = new DeadLetterQueue(deps.clients.sqs, deps.targets.deadLetterQueueUrl);
  const { responder, notifier } = analyzerResponder({
    config: deps.config,
    clock,
    alerts: { sns: deps.clients.sns, eventBridge: deps.clients.eventBridge, topicArn: deps.targets.alertTopicArn, eventBusName: deps.targets.eventBusName },
    idempotencyStore: deps.idempotencyStore,
    deadLetters,
    powertools: { logger, metrics },
    responses: deps.responses,
    containment: deps.containment,
    findings: deps.securityHub,
  });

  /** Parses and normalizes one message; what is rejected is dead-lettered after the core has run. */
  const readMessage = (record: SQSRecord): MessageContents => {
    let value: unknown;
    try {
      value = JSON.parse(record.body);
    } catch {
      return {
        events: [],
        rejected: [{ file: 'sqs', record: 'body', reason: boundedReason(`message body is not JSON: ${excerpt(record.body)}`), code: 'not-json' }],
      };
    }
    const out = emptyOutput();
    normalizeValue(value, 'body', { file: 'sqs', now: clock().getTime() }, out);
    const events = deps.ownRoleArn ? out.events.filter((event) => !(event.source === 'cloudtrail' && event.identity.roleArn === deps.ownRoleArn)) : out.events;
    return { events, rejected: out.rejected };
  };

  /**
   * The original body goes to the dead-letter queue whole: redriving it re-reads its good records
   * too, which the core absorbs as duplicates.
   */
  const deadLetter = async (record: SQSRecord, rejected: RejectedRecord[]) => {
    const first = rejected[0]!;
    const reason = rejected.length > 1 ? `${first.reason} (and ${rejected.length - 1} more)` : first.reason;
    // Every distinct code, so a redrive tool can tell pivotguard's faults (internal-error) from bad input.
    const codes = [...new Set(rejected.flatMap((entry) => (entry.code ? [entry.code] : [])))].join(',');
    await deadLetters.send(record.body, {
      reason,
      ...(codes ? { code: codes } : {}),
      sourceMessageId: record.messageId,
      rejectedRecords: rejected.map((entry) => entry.record).join(', '),
      sourceQueue: record.eventSourceARN,
    });
    logger.warn('Record rejected; message sent to the dead-letter queue', {
      sourceMessageId: record.messageId,
      reason,
      code: codes,
      rejectedRecords: rejected.length,
    });
    metrics.addMetric('RejectedRecords', MetricUnit.Count, rejected.length);
  };

  /**
   * The core over the batch, then over what CloudTrail, Inspector and ECR add about the incidents it raised. An
   * event the core cannot link or check goes to `onRejected`; the others still make incidents.
   */
  const runCore = async (
    events: SecurityEvent[],
    enrichment: Enrichment,
    onRejected: (event: SecurityEvent, rejection: RejectedRecord) => void,
  ): Promise<IncidentChange[]> => {
    const { signals, changes } = await pipeline.analyze(events, (event, rejection) => onRejected(event, coreRejection(event, rejection)));
    metrics.addMetric('Signals', MetricUnit.Count, signals.length);
    const backfilled = await withBackfill(changes, enrichment, { pipeline, clock, logger, metrics, onRejected: rejectedLookup });
    return withImageScans(backfilled, enrichment, { pipeline, store: deps.store, logger, metrics });
  };

  const rejectedLookup = (event: SecurityEvent, rejection: { code: string; reason: string }) => {
    logger.warn('CloudTrail lookup returned a record the core rejected', { rejected: coreRejection(event, rejection) });
    metrics.addMetric('RejectedRecords', MetricUnit.Count, 1);
  };

  const analyze = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    notifier.registerLambdaContext(context);
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
            logger.error('Could not send a rejected record to the dead-letter queue; SQS will deliver it again', {
              sourceMessageId: message.record.messageId,
              error: errorName(error),
            });
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
    const firstRecordReceivedAt = Number.isFinite(earliest) ? new Date(earliest).toISOString() : undefined;
    await responder.respondToBatch(changes, { enrich: enrichForAlert(enrichment, logger), firstRecordReceivedAt });
    return batchResponse;
  };

  return middy(analyze)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as AnalyzerHandler;
}

/** An event the core set aside, named by its source and id (its place in the message is the normalizer's to know). */
function coreRejection(event: SecurityEvent, rejection: { code: string; reason: string }): RejectedRecord {
  // The pipeline reports only RejectionCodes; its callback is typed loosely for its other callers.
  return { file: 'sqs', record: `${event.source} event ${sanitize(event.eventId, 100)}`, reason: rejection.reason, code: rejection.code as RejectionCode };
}

function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
