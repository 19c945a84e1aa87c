import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SQSClient, SendMessageBatchCommand, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { LOG_GROUP, auditEvent, logsDataMessage } from '../fixtures/records.ts';
import { QUEUE_URL, controlMessage, lambdaContext, subscriptionEvent } from '../fixtures/lambda-events.ts';

vi.hoisted(() => {
  process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/pivotguard-records';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const { MessagesNotSent, SQS_LIMITS, createForwarder } = await import('../../functions/adapters/log-forwarder.ts');

const sqs = mockClient(SQSClient);
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

interface Decoded {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: { id: string; timestamp: number; message: string }[];
}

function forwarder(options: Partial<Parameters<typeof createForwarder>[0]> = {}) {
  const logger = new Logger({ logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'pivotguard-test' });
  const deps = { sqs: new SQSClient({}), queueUrl: QUEUE_URL, logger, metrics, tracer: new Tracer(), retryDelayMs: 0, ...options };
  return { handler: createForwarder(deps), logger, metrics };
}

/** Audit events of a few KB each, with multi-byte characters so that bytes and characters differ. */
function auditEvents(count: number) {
  return Array.from({ length: count }, (_, index) =>
    auditEvent({
      userAgent: `kubectl/v1.31.0 (linux/amd64) café-☕-${index}`,
      requestURI: `/api/v1/namespaces/payments/configmaps/${'settings-'.repeat(200)}${index}`,
    }),
  );
}

function sentBatches(): SendMessageBatchCommandInput[] {
  return sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: input.Entries!.map((entry) => ({ Id: entry.Id, MessageId: `id-${entry.Id}`, MD5OfMessageBody: 'x' })),
    Failed: [],
  }));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('forwarder', () => {
  it('splits a large subscription payload into DATA_MESSAGE bodies within the SQS limits, losing nothing', async () => {
    const message = logsDataMessage(auditEvents(400)) as unknown as Decoded;
    expect(bytes(JSON.stringify(message))).toBeGreaterThan(3 * SQS_LIMITS.maxMessageBytes);
    await forwarder().handler(subscriptionEvent(message), lambdaContext('pivotguard-forwarder'));

    const batches = sentBatches();
    expect(batches.length).toBeGreaterThan(3);
    const forwarded: Decoded['logEvents'] = [];
    for (const batch of batches) {
      expect(batch.QueueUrl).toBe(QUEUE_URL);
      expect(batch.Entries!.length).toBeLessThanOrEqual(10);
      expect(batch.Entries!.reduce((sum, entry) => sum + bytes(entry.MessageBody!), 0)).toBeLessThanOrEqual(256 * 1024);
      expect(new Set(batch.Entries!.map((entry) => entry.Id)).size).toBe(batch.Entries!.length);
      for (const entry of batch.Entries!) {
        expect(bytes(entry.MessageBody!)).toBeLessThanOrEqual(256 * 1024);
        const body = JSON.parse(entry.MessageBody!) as Decoded;
        const { logEvents, ...header } = body;
        const { logEvents: _, ...originalHeader } = message;
        expect(header).toEqual(originalHeader);
        forwarded.push(...logEvents);
      }
    }
    expect(forwarded).toEqual(message.logEvents);
  });

  it('keeps to ten entries a call when messages are small', async () => {
    const message = logsDataMessage(auditEvents(120)) as unknown as Decoded;
    const limits = { maxMessageBytes: 8 * 1024, maxBatchBytes: 256 * 1024, maxBatchEntries: 10 };
    await forwarder({ limits }).handler(subscriptionEvent(message), lambdaContext());
    const batches = sentBatches();
    expect(
      batches
        .map((batch) => batch.Entries!.length)
        .slice(0, -1)
        .every((count) => count === 10),
    ).toBe(true);
    const bodies = batches.flatMap((batch) => batch.Entries!.map((entry) => entry.MessageBody!));
    expect(bodies.every((body) => bytes(body) <= limits.maxMessageBytes)).toBe(true);
    expect(bodies.flatMap((body) => (JSON.parse(body) as Decoded).logEvents)).toEqual(message.logEvents);
  });

  it('sends bodies the analyzer normalizes exactly like the original payload', async () => {
    const events = auditEvents(5);
    await forwarder().handler(subscriptionEvent(logsDataMessage(events)), lambdaContext());
    const out = emptyOutput();
    for (const entry of sentBatches()[0]!.Entries!) normalizeValue(JSON.parse(entry.MessageBody!), 'body', { file: 'sqs' }, out);
    expect(out.rejected).toEqual([]);
    expect(out.events.map((event) => event.eventId)).toEqual(events.map((event) => event.auditID));
  });

  it('sends nothing for a control message', async () => {
    const { handler, metrics } = forwarder();
    const addMetric = vi.spyOn(metrics, 'addMetric');
    await handler(subscriptionEvent(controlMessage()), lambdaContext());
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith('ControlMessages', 'Count', 1);
  });

  it('skips a log event too large for any message, reporting its id and size, and sends the rest', async () => {
    const message = logsDataMessage(auditEvents(3)) as unknown as Decoded;
    const huge = {
      id: '37042098765432109876543210987654321098765432109876543299',
      timestamp: 1,
      message: JSON.stringify(auditEvent({ requestObject: { data: 'x'.repeat(300 * 1024) } })),
    };
    message.logEvents.splice(1, 0, huge);
    const { handler, logger, metrics } = forwarder();
    const warn = vi.spyOn(logger, 'warn');
    const addMetric = vi.spyOn(metrics, 'addMetric');
    await handler(subscriptionEvent(message), lambdaContext());

    expect(warn).toHaveBeenCalledWith('Log event larger than an SQS message; not forwarded', {
      logEventId: huge.id,
      bytes: bytes(JSON.stringify(huge)),
      maxBytes: 256 * 1024,
    });
    expect(addMetric).toHaveBeenCalledWith('OversizedLogEvents', 'Count', 1);
    const sent = sentBatches().flatMap((batch) => batch.Entries!.flatMap((entry) => (JSON.parse(entry.MessageBody!) as Decoded).logEvents));
    expect(sent.map((event) => event.id)).toEqual(message.logEvents.filter((event) => event !== huge).map((event) => event.id));
  });

  it('retries only the entries SQS reported as failed', async () => {
    let calls = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      calls++;
      const entries = input.Entries!;
      const failing = calls === 1 ? entries.slice(1) : [];
      return {
        Successful: entries.filter((entry) => !failing.includes(entry)).map((entry) => ({ Id: entry.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
        Failed: failing.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'InternalError' })),
      };
    });
    const limits = { maxMessageBytes: 8 * 1024, maxBatchBytes: 256 * 1024, maxBatchEntries: 10 };
    await forwarder({ limits }).handler(subscriptionEvent(logsDataMessage(auditEvents(12))), lambdaContext());
    const [first, retry] = sentBatches();
    expect(first!.Entries!.length).toBeGreaterThan(1);
    expect(retry!.Entries).toEqual(first!.Entries!.slice(1));
  });

  it('throws after bounded retries so that Lambda retries the invocation', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: [],
      Failed: input.Entries!.map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'ServiceUnavailable' })),
    }));
    const run = forwarder({ attempts: 3 }).handler(subscriptionEvent(logsDataMessage(auditEvents(2))), lambdaContext());
    await expect(run).rejects.toBeInstanceOf(MessagesNotSent);
    await expect(run).rejects.toThrow(/SQS did not accept 1 message\(s\): ServiceUnavailable/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });

  it('does not retry what SQS calls a sender fault', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: 'm0', SenderFault: true, Code: 'InvalidMessageContents' }] });
    await expect(forwarder().handler(subscriptionEvent(logsDataMessage(auditEvents(1))), lambdaContext())).rejects.toThrow(/InvalidMessageContents/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('refuses a payload that is not a CloudWatch Logs subscription message', async () => {
    const run = forwarder().handler({ awslogs: { data: 'bm90IGd6aXA=' } }, lambdaContext());
    await expect(run).rejects.toMatchObject({ name: 'UnreadableLogsPayload', cause: { name: 'RecordRejected', code: 'not-json' } });
    const noEvents = subscriptionEvent({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: LOG_GROUP, logStream: 's', subscriptionFilters: [] });
    await expect(forwarder().handler(noEvents, lambdaContext())).rejects.toThrow(/logEvents/);
  });
});

describe('forwarder environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('fails at module load with a clear message when QUEUE_URL is missing', async () => {
    vi.resetModules();
    vi.stubEnv('QUEUE_URL', undefined);
    await expect(import('../../functions/handlers/forwarder.ts')).rejects.toThrow('pivotguard forwarder: invalid environment: QUEUE_URL not set');
  });

  it('fails at module load when QUEUE_URL is not a URL', async () => {
    vi.resetModules();
    vi.stubEnv('QUEUE_URL', 'pivotguard-records');
    await expect(import('../../functions/handlers/forwarder.ts')).rejects.toThrow('QUEUE_URL not a URL');
  });
});
