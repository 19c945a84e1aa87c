import { createHash } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { splitDataMessage, SQS_LIMITS } from '#adapters/log-forwarder';
import { CLOUDTRAIL_EVENT_PATTERNS } from '../../../lib/cloudtrail-pattern.ts';
import { matchesPattern } from '../../../test/support/event-pattern.ts';

type Json = Record<string, unknown>;

/** One message on the queue: its body, how many records it carries, when it was enqueued (ms) and the newest event time in it. */
export interface QueuedMessage {
  body: string;
  records: number;
  enqueuedAt: number;
  eventTime: number;
}

export interface Arrivals {
  /** Records reaching the sources per hour of arrival time. */
  recordsPerHour: number;
  /** CloudWatch Logs hands the subscription what was logged over this many ms, in one delivery. */
  auditDeliveryMs: number;
  cluster: string;
  account: string;
}

/** What the sources produced and what reached the queue. */
export interface Ingested {
  generated: number;
  queued: number;
}

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:pivotguard-records';
/** The deployed CloudTrail rules' patterns as EventBridge reads them (CDK's `detailType` is `detail-type`). */
const DEPLOYED_PATTERNS = CLOUDTRAIL_EVENT_PATTERNS.map(({ detailType, ...rest }) => ({ 'detail-type': detailType, ...rest }));

/**
 * Records as they reach the queue: CloudTrail records the deployed EventBridge rules match and
 * GuardDuty findings one per message in their EventBridge envelope, audit events through the
 * forwarder in DATA_MESSAGE bodies of one CloudWatch Logs delivery each. Record i reaches its
 * source at i / recordsPerHour, whatever its event time, so that batches fill as they would at
 * that rate.
 */
export function* queuedMessages(lines: Iterable<string>, arrivals: Arrivals, counts: Ingested): Generator<QueuedMessage> {
  const stepMs = 3600_000 / arrivals.recordsPerHour;
  let audit: Json[] = [];
  let deliveryEnd = arrivals.auditDeliveryMs;
  const flushAudit = function* (): Generator<QueuedMessage> {
    if (audit.length === 0) return;
    const message = logsDataMessage(audit, arrivals.cluster);
    const eventTime = Math.max(...audit.map((event) => Date.parse(String(event.requestReceivedTimestamp))));
    for (const body of splitDataMessage(message, SQS_LIMITS.maxMessageBytes).bodies) {
      yield { body, records: (JSON.parse(body) as { logEvents: unknown[] }).logEvents.length, enqueuedAt: deliveryEnd, eventTime };
    }
    counts.queued += audit.length;
    audit = [];
  };
  for (const line of lines) {
    const arrivedAt = counts.generated++ * stepMs;
    while (arrivedAt >= deliveryEnd) {
      yield* flushAudit();
      deliveryEnd += arrivals.auditDeliveryMs;
    }
    const record = JSON.parse(line) as Json;
    if (record.kind === 'Event') {
      audit.push(record);
      continue;
    }
    const envelope = eventBridgeEnvelope(record, arrivals.account);
    if ('eventVersion' in record && !DEPLOYED_PATTERNS.some((pattern) => matchesPattern(pattern, envelope))) continue;
    counts.queued++;
    yield { body: JSON.stringify(envelope), records: 1, enqueuedAt: arrivedAt, eventTime: Date.parse(String(envelope.time)) };
  }
  yield* flushAudit();
}

/** A batch as Lambda's event source mapping hands it over, and when. */
export interface LambdaBatch {
  messages: QueuedMessage[];
  readyAt: number;
}

/**
 * Lambda's SQS event source mapping: a batch opens with its first message and is handed over
 * when it holds `batchSize` messages or `windowMs` after it opened, whichever comes first.
 */
export function* lambdaBatches(messages: Iterable<QueuedMessage>, batching: { batchSize: number; windowMs: number }): Generator<LambdaBatch> {
  let batch: QueuedMessage[] = [];
  for (const message of messages) {
    if (batch.length > 0 && message.enqueuedAt > batch[0]!.enqueuedAt + batching.windowMs) {
      yield { messages: batch, readyAt: batch[0]!.enqueuedAt + batching.windowMs };
      batch = [];
    }
    batch.push(message);
    if (batch.length === batching.batchSize) {
      yield { messages: batch, readyAt: message.enqueuedAt };
      batch = [];
    }
  }
  if (batch.length > 0) yield { messages: batch, readyAt: batch[0]!.enqueuedAt + batching.windowMs };
}

export function sqsEvent(batch: LambdaBatch): SQSEvent {
  return { Records: batch.messages.map(sqsRecord) };
}

function sqsRecord(message: QueuedMessage): SQSRecord {
  const digest = createHash('sha256').update(message.body).digest();
  return {
    messageId: crypto.randomUUID(),
    receiptHandle: `AQEB${digest.toString('base64')}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(message.eventTime),
      SenderId: 'AROAEXAMPLE:pivotguard',
      ApproximateFirstReceiveTimestamp: String(message.eventTime),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

function eventBridgeEnvelope(record: Json, account: string): Json {
  const isFinding = 'schemaVersion' in record;
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': isFinding ? 'GuardDuty Finding' : 'AWS API Call via CloudTrail',
    source: isFinding ? 'aws.guardduty' : `aws.${String(record.eventSource).split('.')[0]}`,
    account,
    time: String(isFinding ? record.updatedAt : record.eventTime),
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

function logsDataMessage(events: Json[], cluster: string) {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: `/aws/eks/${cluster}/cluster`,
    logStream: 'kube-apiserver-audit-0123456789abcdef0123456789abcdef',
    subscriptionFilters: ['pivotguard-audit'],
    logEvents: events.map((event, index) => ({
      id: `${Date.parse(String(event.requestReceivedTimestamp))}${String(index).padStart(6, '0')}`,
      timestamp: Date.parse(String(event.requestReceivedTimestamp)),
      message: JSON.stringify(event),
    })),
  };
}
