import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { type SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { z } from 'zod';
import { PivotguardError } from '#core/errors';
import { decodeLogsData } from '#core/normalize/logs-data';
import { RecordRejected } from '#core/normalize/rejection';
import { backoff } from './backoff.ts';
import { mapLimited } from './concurrency.ts';

/**
 * CloudWatch Logs subscription (EKS audit logs) -> SQS. Each message body is a DATA_MESSAGE
 * with a share of the log events, so the analyzer normalizes it exactly as it would the
 * decoded subscription payload. Needs sqs:SendMessage on the queue.
 */

export interface SqsLimits {
  /** Largest message body, in UTF-8 bytes. */
  maxMessageBytes: number;
  /** Largest sum of the bodies in one SendMessageBatch call. */
  maxBatchBytes: number;
  maxBatchEntries: number;
}

/** SQS's limits for a standard queue at its long-standing 256 KiB maximum message size. */
export const SQS_LIMITS: SqsLimits = { maxMessageBytes: 256 * 1024, maxBatchBytes: 256 * 1024, maxBatchEntries: 10 };

const logEventSchema = z.looseObject({ id: z.string(), timestamp: z.number(), message: z.string() });
const logsMessageSchema = z.looseObject({
  messageType: z.string(),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(logEventSchema),
});
type LogsMessage = z.infer<typeof logsMessageSchema>;

/** The subscription payload cannot be read; Lambda's retries and failure destination keep it. */
export class UnreadableLogsPayload extends PivotguardError {
  override name = 'UnreadableLogsPayload';

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`CloudWatch Logs payload not readable: ${reason}`, options);
  }
}

/** SQS refused some messages even after retries; throwing makes Lambda retry the invocation. */
export class MessagesNotSent extends PivotguardError {
  override name = 'MessagesNotSent';

  constructor(readonly failures: { id: string; code?: string; senderFault: boolean; message?: string }[]) {
    super(`SQS did not accept ${failures.length} message(s): ${[...new Set(failures.map((failure) => failure.code ?? 'unknown'))].join(', ')}`);
  }
}

export interface ForwarderDeps {
  sqs: SQSClient;
  queueUrl: string;
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
  limits?: SqsLimits;
  /** Tries per SendMessageBatch, the first included, for entries that come back in Failed. */
  attempts?: number;
  /** The ceiling of the first retry's wait (full jitter), doubled for each retry after it. */
  retryDelayMs?: number;
}

/** Batches sent at once: enough to overlap round trips, few enough to stay under throttling. */
const CONCURRENT_BATCHES = 4;

export function createForwarder(deps: ForwarderDeps) {
  const { logger, metrics } = deps;
  const limits = deps.limits ?? SQS_LIMITS;

  const forward = async (event: CloudWatchLogsEvent): Promise<void> => {
    const message = decode(event);
    if (message.messageType === 'CONTROL_MESSAGE') {
      metrics.addMetric('ControlMessages', MetricUnit.Count, 1);
      return;
    }
    if (message.messageType !== 'DATA_MESSAGE') throw new UnreadableLogsPayload(`messageType "${message.messageType}" is unknown`);
    logger.appendKeys({ logGroup: message.logGroup, logStream: message.logStream });

    const { bodies, oversized } = splitDataMessage(message, limits.maxMessageBytes);
    for (const event of oversized) {
      logger.warn('Log event larger than an SQS message; not forwarded', { logEventId: event.id, bytes: event.bytes, maxBytes: limits.maxMessageBytes });
    }
    if (oversized.length > 0) metrics.addMetric('OversizedLogEvents', MetricUnit.Count, oversized.length);

    const failures = (await mapLimited(batchesOf(bodies, limits), CONCURRENT_BATCHES, sendBatch)).flat();
    metrics.addMetric('LogEventsForwarded', MetricUnit.Count, message.logEvents.length - oversized.length);
    metrics.addMetric('MessagesSent', MetricUnit.Count, bodies.length - failures.length);
    if (failures.length > 0) {
      metrics.addMetric('MessagesNotSent', MetricUnit.Count, failures.length);
      throw new MessagesNotSent(failures);
    }
  };

  /** Sends one batch; entries in `Failed` are retried with backoff. Returns what never went. */
  const sendBatch = async (bodies: string[]): Promise<MessagesNotSent['failures']> => {
    const attempts = deps.attempts ?? 3;
    let pending: SendMessageBatchRequestEntry[] = bodies.map((body, index) => ({ Id: `m${index}`, MessageBody: body }));
    const permanent: MessagesNotSent['failures'] = [];
    for (let attempt = 1; ; attempt++) {
      const result = await deps.sqs.send(new SendMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: pending }));
      const failed = result.Failed ?? [];
      if (failed.length === 0) return permanent;
      const describe = (entry: (typeof failed)[number]) => ({
        id: entry.Id ?? '?',
        code: entry.Code,
        senderFault: entry.SenderFault ?? false,
        message: entry.Message,
      });
      // A sender fault (a body SQS will never take) does not get better by asking again.
      permanent.push(...failed.filter((entry) => entry.SenderFault).map(describe));
      const retry = new Set(failed.filter((entry) => !entry.SenderFault).map((entry) => entry.Id));
      if (retry.size === 0) return permanent;
      if (attempt >= attempts) return [...permanent, ...failed.filter((entry) => !entry.SenderFault).map(describe)];
      logger.info('Retrying messages SQS did not accept', { failed: retry.size, attempt, codes: [...new Set(failed.map((entry) => entry.Code))] });
      pending = pending.filter((entry) => retry.has(entry.Id));
      await backoff(attempt, { baseMs: deps.retryDelayMs ?? 100 });
    }
  };

  return middy(forward)
    .use(captureLambdaHandler(deps.tracer))
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.metrics, { captureColdStartMetric: true })) as (event: CloudWatchLogsEvent, context: Context) => Promise<void>;
}

function decode(event: CloudWatchLogsEvent): LogsMessage {
  let value: unknown;
  try {
    value = decodeLogsData(event?.awslogs?.data);
  } catch (error) {
    if (error instanceof RecordRejected) throw new UnreadableLogsPayload(error.reason, { cause: error });
    throw error;
  }
  const parsed = logsMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnreadableLogsPayload(`${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Splits a DATA_MESSAGE into DATA_MESSAGE bodies of at most `maxBytes` UTF-8 bytes each, keeping
 * every field but logEvents and the events' order. An event that cannot fit even alone is
 * returned in `oversized` instead.
 */
export function splitDataMessage(message: LogsMessage, maxBytes: number): { bodies: string[]; oversized: { id: string; bytes: number }[] } {
  const { logEvents, ...header } = message;
  // JSON.stringify({...header, logEvents: []}) ends in `[]}`: events go between the brackets.
  const empty = JSON.stringify({ ...header, logEvents: [] });
  const prefix = empty.slice(0, -2);
  const suffix = ']}';
  const frameBytes = byteLength(prefix) + byteLength(suffix);
  const bodies: string[] = [];
  const oversized: { id: string; bytes: number }[] = [];
  let current: string[] = [];
  let currentBytes = frameBytes;
  const flush = () => {
    if (current.length > 0) bodies.push(`${prefix}${current.join(',')}${suffix}`);
    current = [];
    currentBytes = frameBytes;
  };
  for (const event of logEvents) {
    const json = JSON.stringify(event);
    const bytes = byteLength(json);
    if (frameBytes + bytes > maxBytes) {
      oversized.push({ id: event.id, bytes });
      continue;
    }
    // Events after the first are preceded by a comma.
    if (current.length > 0 && currentBytes + 1 + bytes > maxBytes) flush();
    currentBytes += (current.length > 0 ? 1 : 0) + bytes;
    current.push(json);
  }
  flush();
  return { bodies, oversized };
}

/** Groups bodies, in order, into SendMessageBatch calls within the entry and byte limits. */
export function batchesOf(bodies: readonly string[], limits: SqsLimits): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  for (const body of bodies) {
    const bytes = byteLength(body);
    if (current.length > 0 && (current.length >= limits.maxBatchEntries || currentBytes + bytes > limits.maxBatchBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(body);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
