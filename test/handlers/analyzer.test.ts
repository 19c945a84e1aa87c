import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '#core/config';
import { execIntoPod } from '#core/detect/rules/eks-audit/exec-into-pod';
import type { Incident } from '#core/model/incident';
import { actionKey } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import type { Store } from '#core/store/store';
import { type ContainmentStarter, StepFunctionsStarter } from '#adapters/containment/workflow-starter';
import { MemoryResponseStore } from '#adapters/memory-responses';
import type { Enrichment, SessionBackfill } from '#adapters/enrichment/index';
import { IamRolePolicies } from '#adapters/enrichment/role-policies';
import type { ExportedIncident, FindingExporter } from '#adapters/security-hub';
import { ATTACKER_IP, ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';
import { assumedRoleIdentity, auditEvent, cloudTrailRecord, eventBridge, logsDataMessage } from '../fixtures/records.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { keyedOnly, memoryStore } from '../fixtures/store.ts';
import { DLQ_URL, EVENT_BUS, TOPIC_ARN, lambdaContext, redelivered, sqsEvent, sqsRecord } from '../fixtures/lambda-events.ts';

await vi.hoisted(async () => {
  const { ANALYZER_ENVIRONMENT } = await import('../fixtures/handler-environments.ts');
  Object.assign(process.env, ANALYZER_ENVIRONMENT);
});

const { createAnalyzer } = await import('../../functions/adapters/batch-analyzer.ts');
const { splitDataMessage, SQS_LIMITS } = await import('../../functions/adapters/log-forwarder.ts');

const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const iam = mockClient(IAMClient);
const sfn = mockClient(SFNClient);
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:pivotguard-containment';

/**
 * Idempotency records in memory, with the DynamoDB layer's rules: a put succeeds only when the
 * key is new, expired, or an in-progress record whose invocation timed out. The analyzer's use
 * of Powertools is what is under test here; the DynamoDB layer is Powertools' own.
 */
class MemoryPersistenceLayer extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.records.get(key);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const timedOut = existing?.getStatus() === 'INPROGRESS' && (existing.inProgressExpiryTimestamp ?? Infinity) < Date.now();
    if (existing && !existing.isExpired() && !timedOut) {
      throw new IdempotencyItemAlreadyExistsError(`record exists: ${record.idempotencyKey}`, existing);
    }
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

type Json = Record<string, unknown>;

/**
 * The pivot scenario as the queue receives it: CloudTrail and GuardDuty records in their
 * EventBridge envelopes, the EKS audit events as the forwarder's DATA_MESSAGE bodies.
 */
function pivotBodies(records: Json[] = pivotScenario()): unknown[] {
  const audit = records.filter((record) => record.kind === 'Event');
  const bodies: unknown[] = [];
  for (const record of records) {
    if ('eventVersion' in record) {
      bodies.push(eventBridge('AWS API Call via CloudTrail', `aws.${String(record.eventSource).split('.')[0]}`, record, String(record.eventTime)));
    } else if ('schemaVersion' in record) {
      bodies.push(eventBridge('GuardDuty Finding', 'aws.guardduty', record, String(record.updatedAt)));
    }
  }
  const forwarded = splitDataMessage(logsDataMessage(audit) as Parameters<typeof splitDataMessage>[0], SQS_LIMITS.maxMessageBytes);
  expect(forwarded.oversized).toEqual([]);
  return [...bodies, ...forwarded.bodies];
}

function analyzer(
  options: {
    store?: Store;
    idempotencyStore?: BasePersistenceLayer;
    enrichment?: Enrichment;
    ownRoleArn?: string;
    responses?: ResponseStore;
    containment?: ContainmentStarter;
    securityHub?: FindingExporter;
  } = {},
) {
  const logger = new Logger({ logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'pivotguard-test' });
  const addMetric = vi.spyOn(metrics, 'addMetric');
  const handler = createAnalyzer({
    store: options.store ?? memoryStore(),
    config: defaultConfig,
    clients: { sqs: new SQSClient({}), sns: new SNSClient({}), eventBridge: new EventBridgeClient({}) },
    targets: { deadLetterQueueUrl: DLQ_URL, alertTopicArn: TOPIC_ARN, eventBusName: EVENT_BUS },
    enrichment: options.enrichment ?? { rolePolicies: new IamRolePolicies(new IAMClient({})) },
    idempotencyStore: options.idempotencyStore ?? new MemoryPersistenceLayer(),
    powertools: { logger, metrics, tracer: new Tracer() },
    clock: () => new Date('2026-11-21T03:00:00Z'),
    ownRoleArn: options.ownRoleArn,
    responses: options.responses,
    containment: options.containment,
    securityHub: options.securityHub,
  });
  const metric = (name: string) => addMetric.mock.calls.filter(([metricName]) => metricName === name).reduce((sum, [, , value]) => sum + value, 0);
  return { handler: (event: SQSEvent) => handler(event, lambdaContext()), metric, logger };
}

function publishedIncidents(): Incident[] {
  return events.commandCalls(PutEventsCommand).map((call) => JSON.parse(call.args[0].input.Entries![0]!.Detail!) as Incident);
}

function deadLettered() {
  return sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  for (const mock of [sqs, sns, events, iam, sfn]) mock.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AmazonS3ReadOnlyAccess' }], IsTruncated: false });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['checkout-secrets'], IsTruncated: false });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('analyzer', () => {
  it('turns the pivot, from EventBridge and the forwarder, into one critical incident and one alert of each kind', async () => {
    const { handler, metric } = analyzer();
    const batch = sqsEvent(pivotBodies());
    expect(batch.Records.length).toBeGreaterThanOrEqual(5);

    expect(await handler(batch)).toEqual({ batchItemFailures: [] });

    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
    const [incident] = publishedIncidents();
    expect(incident).toMatchObject({ severity: 'critical', workload: { pod: 'checkout-7d9f8b6c5-x2k4q' } });
    expect(incident!.identities[0]!.unusualSourceIps).toEqual([ATTACKER_IP]);
    expect(incident!.blastRadius.rolePermissions).toEqual([{ roleArn: ROLE_ARN, policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] }]);
    expect(events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]).toMatchObject({
      Source: 'pivotguard',
      DetailType: 'Incident Opened',
      EventBusName: EVENT_BUS,
    });

    const email = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(email.TopicArn).toBe(TOPIC_ARN);
    expect(email.Subject).toMatch(/^\[pivotguard\] CRITICAL: Compromised pod payments\/checkout-7d9f8b6c5-x2k4q/);
    expect(email.Message).toContain('- AmazonS3ReadOnlyAccess');
    expect(email.Message).not.toContain('a local replay has no IAM access');
    expect(deadLettered()).toEqual([]);
    expect(metric('Records')).toBe(batch.Records.length);
    expect(metric('IncidentsOpened')).toBe(1);
    expect(metric('AlertsSent')).toBe(2);
  });

  it('in a hub account, names a member account’s cluster NAME@ACCOUNT and still tells its pivot as one incident', async () => {
    const { handler } = analyzer({ ownRoleArn: 'arn:aws:iam::999988887777:role/pivotguard-analyzer' });
    expect(await handler(sqsEvent(pivotBodies()))).toEqual({ batchItemFailures: [] });
    const [incident, ...others] = publishedIncidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ severity: 'critical', workload: { cluster: 'prod-east@111122223333', pod: 'checkout-7d9f8b6c5-x2k4q' } });
  });

  it("drops the CloudTrail records of its own role's calls before the core sees them", async () => {
    const own = 'arn:aws:iam::111122223333:role/pivotguard-analyzer';
    const ownCall = cloudTrailRecord({
      userIdentity: assumedRoleIdentity('pivotguard-analyzer', 'analyzer-session', 'ASIAOWNROLEKEY000001'),
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListRoles',
    });
    const body = eventBridge('AWS API Call via CloudTrail', 'aws.iam', ownCall, String(ownCall.eventTime));
    const { handler, metric } = analyzer({ ownRoleArn: own });
    expect(await handler(sqsEvent([body]))).toEqual({ batchItemFailures: [] });
    expect(metric('Events')).toBe(0);
    const { handler: unfiltered, metric: unfilteredMetric } = analyzer();
    await unfiltered(sqsEvent([body]));
    expect(unfilteredMetric('Events')).toBe(1);
  });

  it('sends a bad record to the dead-letter queue with its reason, and the good ones next to it still make the incident', async () => {
    const { handler, metric } = analyzer();
    const notJson = sqsRecord('{"detail-type": "AWS API Call via CloudTrail", ');
    const otherEvent = sqsRecord(eventBridge('EC2 Instance State-change Notification', 'aws.ec2', { state: 'running' }, '2026-11-21T02:20:00Z'));
    const mixed = logsDataMessage([auditEvent({ requestReceivedTimestamp: '2026-11-21T02:21:00Z' })]) as { logEvents: { message: string }[] };
    mixed.logEvents.push({ ...mixed.logEvents[0]!, message: 'I1121 02:21:00 not json' });
    const mixedRecord = sqsRecord(mixed);
    const batch = sqsEvent(pivotBodies());
    batch.Records.splice(2, 0, notJson, otherEvent, mixedRecord);

    expect(await handler(batch)).toEqual({ batchItemFailures: [] });

    const dead = deadLettered();
    expect(dead).toHaveLength(3);
    const bySource = new Map(dead.map((input) => [input.MessageAttributes!.sourceMessageId!.StringValue, input]));
    expect(bySource.get(notJson.messageId)).toMatchObject({
      QueueUrl: DLQ_URL,
      MessageBody: notJson.body,
      MessageAttributes: { reason: { DataType: 'String', StringValue: expect.stringMatching(/^message body is not JSON: /) } },
    });
    expect(bySource.get(otherEvent.messageId)!.MessageAttributes!.reason!.StringValue).toBe(
      'EventBridge event detail-type "EC2 Instance State-change Notification" is not one pivotguard reads',
    );
    expect(bySource.get(mixedRecord.messageId)!.MessageAttributes).toMatchObject({
      reason: { StringValue: 'log event message is not JSON: I1121 02:21:00 not json' },
      rejectedRecords: { StringValue: 'body.logEvents[1]' },
    });
    expect(publishedIncidents()).toHaveLength(1);
    expect(publishedIncidents()[0]!.severity).toBe('critical');
    expect(metric('RejectedRecords')).toBe(3);
  });

  it('analyzes a kubectl exec whose command is not UTF-8 like any other record', async () => {
    const { handler, metric } = analyzer();
    const exec = auditEvent({
      verb: 'create',
      requestURI: '/api/v1/namespaces/payments/pods/checkout-1/exec?command=%FF&container=app',
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'checkout-1', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 101 },
      requestReceivedTimestamp: '2026-11-21T02:21:00Z',
    });
    const batch = sqsEvent([...pivotBodies(), logsDataMessage([exec])]);

    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(deadLettered()).toEqual([]);
    expect(metric('Events')).toBeGreaterThan(batch.Records.length);
    expect(publishedIncidents().some((incident) => incident.severity === 'critical')).toBe(true);
  });

  it('dead-letters the one message whose record makes a rule fail, with its code, and alerts on the rest of the batch', async () => {
    const match = execIntoPod.match.bind(execIntoPod);
    // A rule bug that only this record reaches.
    vi.spyOn(execIntoPod, 'match').mockImplementation((event) => {
      if (event.requestUri?.includes('poison')) throw new RangeError('Maximum call stack size exceeded');
      return match(event);
    });
    const poison = auditEvent({
      verb: 'create',
      requestURI: '/api/v1/namespaces/payments/pods/checkout-1/exec?command=poison',
      requestReceivedTimestamp: '2026-11-21T02:21:00Z',
    });
    const carrier = logsDataMessage([auditEvent({ requestReceivedTimestamp: '2026-11-21T02:21:01Z' }), poison]) as { logEvents: { message: string }[] };
    carrier.logEvents.push({ ...carrier.logEvents[0]!, message: 'I1121 02:21:00 not json' });
    const carrierRecord = sqsRecord(carrier);
    const { handler, metric } = analyzer();
    const batch = sqsEvent(pivotBodies());
    batch.Records.splice(1, 0, carrierRecord);

    expect(await handler(batch)).toEqual({ batchItemFailures: [] });

    // Once per message, with everything set aside from it.
    expect(deadLettered()).toEqual([
      expect.objectContaining({
        QueueUrl: DLQ_URL,
        MessageBody: carrierRecord.body,
        MessageAttributes: expect.objectContaining({
          reason: { DataType: 'String', StringValue: 'log event message is not JSON: I1121 02:21:00 not json (and 1 more)' },
          code: { DataType: 'String', StringValue: 'not-json,internal-error' },
          rejectedRecords: { DataType: 'String', StringValue: `body.logEvents[2], eks-audit event ${String(poison.auditID)}` },
          sourceMessageId: { DataType: 'String', StringValue: carrierRecord.messageId },
        }),
      }),
    ]);
    expect(metric('RejectedRecords')).toBe(2);
    expect(publishedIncidents()).toHaveLength(1);
    expect(publishedIncidents()[0]!.severity).toBe('critical');
  });

  it('dead-letters a record nested thousands of levels deep and one dated 9999, each with its code', async () => {
    const deepRecord = JSON.stringify(
      eventBridge(
        'AWS API Call via CloudTrail',
        'aws.iam',
        cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName: 'PutRolePolicy', requestParameters: { policy: '__DEEP__' } }),
        '2026-11-21T02:20:00Z',
      ),
    ).replace('"__DEEP__"', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
    const deep = sqsRecord(deepRecord);
    const future = sqsRecord(logsDataMessage([auditEvent({ requestReceivedTimestamp: '9999-12-31T23:59:59.000000Z' })]));
    const { handler } = analyzer();
    const batch = sqsEvent(pivotBodies());
    batch.Records.push(deep, future);

    expect(await handler(batch)).toEqual({ batchItemFailures: [] });

    const bySource = new Map(deadLettered().map((input) => [input.MessageAttributes!.sourceMessageId!.StringValue, input.MessageAttributes!]));
    expect([...bySource.keys()].sort()).toEqual([deep.messageId, future.messageId].sort());
    expect(bySource.get(deep.messageId)).toMatchObject({
      code: { StringValue: 'too-deep' },
      reason: { StringValue: expect.stringMatching(/^CloudTrail record: /) },
    });
    expect(bySource.get(future.messageId)).toMatchObject({ code: { StringValue: 'time-out-of-range' }, rejectedRecords: { StringValue: 'body.logEvents[0]' } });
    expect(publishedIncidents().map((incident) => incident.severity)).toEqual(['critical']);
  });

  it('retries only the message that could not be parked in the dead-letter queue', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AWS.SimpleQueueService.NonExistentQueue'));
    const bad = sqsRecord('not json');
    const { handler } = analyzer();
    const batch = sqsEvent(pivotBodies());
    batch.Records.push(bad);

    expect(await handler(batch)).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(publishedIncidents()).toHaveLength(1);
  });

  it('reports every message that carried records as failed when the store fails, and alerts nobody', async () => {
    const broken: Store = { ...keyedOnly(memoryStore()), applyFacts: () => Promise.reject(new Error('ProvisionedThroughputExceededException')) };
    const { handler, metric } = analyzer({ store: broken });
    const batch = sqsEvent(pivotBodies());

    const response = await handler(batch);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(batch.Records.map((record) => record.messageId).sort());
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(metric('BatchesRetried')).toBe(1);
  });

  it('does not retry a message whose records all went to the dead-letter queue when the store fails', async () => {
    const broken: Store = { ...keyedOnly(memoryStore()), putIncidents: () => Promise.reject(new Error('store down')) };
    const { handler } = analyzer({ store: broken });
    const bad = sqsRecord('not json');
    const batch = sqsEvent(pivotBodies());
    batch.Records.push(bad);

    const failed = (await handler(batch)).batchItemFailures.map((failure) => failure.itemIdentifier);

    expect(failed).toHaveLength(batch.Records.length - 1);
    expect(failed).not.toContain(bad.messageId);
    expect(deadLettered()).toHaveLength(1);
  });

  it('does not alert twice when the batch is delivered again', async () => {
    const idempotencyStore = new MemoryPersistenceLayer();
    const first = analyzer({ idempotencyStore });
    const batch = sqsEvent(pivotBodies());
    await first.handler(batch);
    expect(await first.handler(redelivered(batch))).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    // Another analyzer whose store reports the incident as new again (it correlated a different
    // snapshot): only the idempotency record stands between it and a second email.
    const second = analyzer({ idempotencyStore });
    expect(await second.handler(redelivered(batch))).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(second.metric('AlertsDeduplicated')).toBe(2);
  });

  it('retries only the channel that failed: a lost event is sent again without a second email', async () => {
    const idempotencyStore = new MemoryPersistenceLayer();
    events
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const batch = sqsEvent(pivotBodies());
    const first = analyzer({ idempotencyStore });
    expect(await first.handler(batch)).toEqual({ batchItemFailures: [] });
    expect(first.metric('AlertsFailed')).toBe(1);
    // The undelivered event is parked for a person, since the stored incident will not change again.
    const [parked] = deadLettered();
    expect(parked!.MessageAttributes!.reason!.StringValue).toBe(
      'alert not delivered by event: EventNotPublished: EventBridge refused the incident event: InternalFailure',
    );
    expect(JSON.parse(parked!.MessageBody!)).toMatchObject({ undeliveredAlert: { channel: 'event', change: 'opened', severity: 'critical' } });

    await analyzer({ idempotencyStore }).handler(redelivered(batch));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it('alerts again when an incident escalates', async () => {
    const idempotencyStore = new MemoryPersistenceLayer();
    const store = memoryStore();
    const { handler } = analyzer({ store, idempotencyStore });
    const records = pivotScenario();
    const attackerCall = records.findIndex((record) => record.sourceIPAddress === ATTACKER_IP);
    const [withoutCloudUse, cloudUse] = [records.filter((_, index) => index !== attackerCall), [records[attackerCall]!]];

    await handler(sqsEvent(pivotBodies(withoutCloudUse)));
    await handler(sqsEvent(pivotBodies(cloudUse)));

    const changes = events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries![0]!.DetailType);
    expect(changes).toEqual(['Incident Opened', 'Incident Escalated']);
    expect(publishedIncidents().map((incident) => incident.severity)).toEqual(['high', 'critical']);
    expect(sns.commandCalls(PublishCommand)[1]!.args[0].input.Subject).toMatch(/^\[pivotguard\] CRITICAL \(was HIGH\): /);
  });

  it('backfills the cloud side of a pod incident from CloudTrail, in one alert', async () => {
    // The attacker reuses the pod's own credentials; their use never reached the event bus.
    const records = pivotScenario().filter((record) => !JSON.stringify(record).includes('ASIAEXAMPLEATTACK003'));
    const stolenKeyUse = (time: string, eventName: string, eventSource: string) =>
      cloudTrailRecord({
        eventTime: time,
        eventName,
        eventSource,
        sourceIPAddress: ATTACKER_IP,
        userIdentity: assumedRoleIdentity('checkout-irsa', 'aws-sdk-js-session-1', 'ASIAEXAMPLENORMAL001'),
      });
    const recentCalls = vi.fn<SessionBackfill['recentCalls']>(async (accessKeyId) =>
      accessKeyId === 'ASIAEXAMPLENORMAL001'
        ? [
            stolenKeyUse('2026-11-21T02:29:01Z', 'GetCallerIdentity', 'sts.amazonaws.com'),
            stolenKeyUse('2026-11-21T02:29:30Z', 'ListBuckets', 's3.amazonaws.com'),
          ]
        : [],
    );
    const { handler, metric } = analyzer({ enrichment: { rolePolicies: new IamRolePolicies(new IAMClient({})), sessionBackfill: { recentCalls } } });

    await handler(sqsEvent(pivotBodies(records)));

    expect(recentCalls.mock.calls).toEqual([['ASIAEXAMPLENORMAL001', { from: new Date('2026-11-21T01:13:04Z'), to: new Date('2026-11-21T03:00:00Z') }]]);
    expect(metric('BackfilledRecords')).toBe(2);
    // Opened and escalated within the batch: one alert, at the final severity.
    expect(events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries![0]!.DetailType)).toEqual(['Incident Opened']);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const [incident] = publishedIncidents();
    expect(incident!.severity).toBe('critical');
    expect(incident!.identities[0]!.unusualSourceIps).toEqual([ATTACKER_IP]);
    expect(incident!.signals.some((signal) => signal.source === 'cloudtrail')).toBe(true);
  });

  it('keeps alerting on what the batch showed when the backfill fails', async () => {
    const records = pivotScenario().filter((record) => record.sourceIPAddress !== ATTACKER_IP);
    const recentCalls = vi.fn<SessionBackfill['recentCalls']>(() => Promise.reject(new Error('ThrottlingException')));
    const { handler } = analyzer({ enrichment: { sessionBackfill: { recentCalls } } });
    expect(await handler(sqsEvent(pivotBodies(records)))).toEqual({ batchItemFailures: [] });
    expect(recentCalls).toHaveBeenCalled();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('records when the incident opened and was alerted on, and starts its containment once, named after it', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111122223333:execution:containment:x', startDate: new Date() });
    const responses = new MemoryResponseStore();
    const starter = new StepFunctionsStarter(new SFNClient({}), STATE_MACHINE_ARN, 'https://page.lambda-url.us-east-1.on.aws/');
    const { handler, metric } = analyzer({ responses, containment: starter });
    const batch = sqsEvent(pivotBodies());
    await handler(batch);
    await handler(redelivered(batch));

    const [incident] = publishedIncidents();
    // The redelivered batch changes no incident, so nothing is started again.
    const start = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(start).toHaveLength(1);
    expect(start[0]).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name: incident!.id });
    const input = JSON.parse(start[0]!.input!);
    expect(input).toMatchObject({ dryRun: false, approvalUrl: 'https://page.lambda-url.us-east-1.on.aws/', incident: { id: incident!.id } });
    // The workflow gets the enriched incident, so the evidence keeps the role's policies.
    expect(input.incident.blastRadius.rolePermissions).toEqual(incident!.blastRadius.rolePermissions);
    expect(metric('ContainmentsStarted')).toBe(1);

    const response = (await responses.getResponse(incident!.id))!;
    expect(response.openedAt).toBe('2026-11-21T03:00:00.000Z');
    const earliestSent = Math.min(...batch.Records.map((record) => Number(record.attributes.SentTimestamp)));
    expect(response.firstRecordReceivedAt).toBe(new Date(earliestSent).toISOString());
    expect(response.alerts).toEqual([{ at: '2026-11-21T03:00:00.000Z', kind: 'opened', severity: 'critical' }]);
    expect(response.workflow).toMatchObject({ execution: incident!.id, dryRun: false });
  });

  it('extends containment when a later batch links a new session: a revision for the new revoke only, started once', async () => {
    // Step Functions refuses a second execution of the same name.
    const names = new Set<string>();
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (names.has(input.name!)) throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
      names.add(input.name!);
      return { executionArn: `${STATE_MACHINE_ARN}:${input.name}`, startDate: new Date() };
    });
    const store = memoryStore();
    const responses = new MemoryResponseStore();
    const containment = new StepFunctionsStarter(new SFNClient({}), STATE_MACHINE_ARN, '');
    const { handler, metric } = analyzer({ store, responses, containment });
    const attackerSession = (record: Json) => JSON.stringify(record).includes('botocore-session-1763691910');
    const records = pivotScenario();

    // The runtime finding first: high, contained from the pod's own session.
    await handler(sqsEvent(pivotBodies(records.filter((record) => !attackerSession(record)))));
    // Minutes later: the pod's role used from outside through a new session.
    const minutesLater = sqsEvent(pivotBodies(records.filter(attackerSession)));
    await handler(minutesLater);

    const [first, revision] = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    const incident = publishedIncidents().at(-1)!;
    expect(publishedIncidents().map((published) => published.severity)).toEqual(['high', 'critical']);
    expect(first!.name).toBe(incident.id);
    expect(revision!.name).toMatch(new RegExp(`^${incident.id}-[0-9a-f]{8}$`));
    const revisionPlan = JSON.parse(revision!.input!).incident.plan;
    expect(revisionPlan).toEqual({
      automatic: [
        // The sessions the evidence now ties to the attacker: the one used from outside.
        expect.objectContaining({ action: 'revoke-role-sessions', target: ROLE_ARN, scope: ['botocore-session-1763691910'] }),
      ],
      approval: [],
    });
    expect(metric('ContainmentsStarted')).toBe(1);
    expect(metric('ContainmentsExtended')).toBe(1);
    const response = (await responses.getResponse(incident.id))!;
    // The runtime finding alone ties no session to the attacker: the first execution fences the role and revokes nothing by name.
    expect(response.workflow).toMatchObject({
      execution: incident.id,
      covers: expect.arrayContaining([actionKey({ action: 'fence-role', target: ROLE_ARN, scope: [] })]),
    });
    expect(response.workflow!.covers!.filter((key) => key.startsWith('revoke-role-sessions'))).toEqual([]);
    expect(response.revisions).toEqual([
      { execution: revision!.name, startedAt: '2026-11-21T03:00:00.000Z', dryRun: false, covers: [actionKey(revisionPlan.automatic[0])] },
    ]);

    // Redelivered, the batch changes no incident: nothing starts.
    await handler(redelivered(minutesLater));
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);

    // Another analyzer that sees the escalation again, after the revision's record was lost, finds it running.
    await responses.updateResponse(incident.id, (current) => ({ ...current!, revisions: [] }));
    const again: Store = {
      ...keyedOnly(store),
      putIncidents: async (incidents) => incidents.map((changed) => ({ incident: changed, change: 'escalated' as const, previousSeverity: 'high' as const })),
    };
    const other = analyzer({ store: again, responses, containment });
    await other.handler(redelivered(minutesLater));
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name)).toEqual([first!.name, revision!.name, revision!.name]);
    expect(other.metric('ContainmentsExtended')).toBe(0);
    expect((await responses.getResponse(incident.id))!.revisions).toEqual([expect.objectContaining({ execution: revision!.name })]);
  });

  it('extends containment to the whole plan when another analyzer started the first execution and has not recorded it yet', async () => {
    const [incident] = await incidentsOf(pivotScenario());
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (input.name === incident!.id) throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
      return { executionArn: `${STATE_MACHINE_ARN}:${input.name}`, startDate: new Date() };
    });
    const responses = new MemoryResponseStore();
    const { handler, metric } = analyzer({ responses, containment: new StepFunctionsStarter(new SFNClient({}), STATE_MACHINE_ARN, '') });
    await handler(sqsEvent(pivotBodies()));
    const [first, revision] = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(first!.name).toBe(incident!.id);
    expect(revision!.name).toMatch(new RegExp(`^${incident!.id}-[0-9a-f]{8}$`));
    expect(JSON.parse(revision!.input!).incident.plan).toEqual(incident!.plan);
    expect([metric('ContainmentsStarted'), metric('ContainmentsExtended')]).toEqual([0, 1]);
    expect((await responses.getResponse(incident!.id))!.revisions).toEqual([expect.objectContaining({ execution: revision!.name })]);
  });

  it('keeps the batch and the alert when containment cannot be started, and counts it', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('AccessDeniedException'));
    const { handler, metric } = analyzer({ containment: new StepFunctionsStarter(new SFNClient({}), STATE_MACHINE_ARN, '') });
    expect(await handler(sqsEvent(pivotBodies()))).toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(metric('ContainmentsNotStarted')).toBe(1);
  });

  it('measures time to detect, split into delivery lag and processing, when it opens an incident', async () => {
    const { handler, metric } = analyzer({ responses: new MemoryResponseStore() });
    const batch = sqsEvent(pivotBodies());
    await handler(batch);
    await handler(redelivered(batch));
    const firstSeen = Date.parse(publishedIncidents()[0]!.firstSeen);
    const opened = Date.parse('2026-11-21T03:00:00Z');
    const received = Math.min(...batch.Records.map((record) => Number(record.attributes.SentTimestamp)));
    expect(metric('TimeToDetect')).toBe(opened - firstSeen);
    expect(metric('DeliveryLag')).toBe(received - firstSeen);
    expect(metric('ProcessingTime')).toBe(opened - received);
  });

  it('exports each alerted incident with its response as a finding, after the alerts', async () => {
    const exported: ExportedIncident[][] = [];
    const securityHub: FindingExporter = {
      export: async (incidents) => {
        exported.push([...incidents]);
        expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
        return { imported: incidents.length, failed: [] };
      },
    };
    const responses = new MemoryResponseStore();
    const { handler, metric } = analyzer({ responses, securityHub });
    await handler(sqsEvent(pivotBodies()));
    const [incident] = publishedIncidents();
    expect(exported).toEqual([[{ incident, response: await responses.getResponse(incident!.id) }]]);
    expect(metric('FindingsExported')).toBe(1);
  });

  it('keeps the batch when Security Hub refuses a finding or cannot be reached, and counts and logs it', async () => {
    const refused = analyzer({
      securityHub: { export: async () => ({ imported: 0, failed: [{ id: 'pivotguard/inc-1', code: 'InvalidInput', message: 'bad' }] }) },
    });
    const logged = vi.spyOn(refused.logger, 'error');
    expect(await refused.handler(sqsEvent(pivotBodies()))).toEqual({ batchItemFailures: [] });
    expect(refused.metric('FindingsNotExported')).toBe(1);
    expect(logged).toHaveBeenCalledWith('Security Hub did not take some findings', expect.objectContaining({ count: 1 }));

    const unreachable = analyzer({ securityHub: { export: () => Promise.reject(new Error('connect ETIMEDOUT')) } });
    expect(await unreachable.handler(sqsEvent(pivotBodies()))).toEqual({ batchItemFailures: [] });
    expect(unreachable.metric('FindingsNotExported')).toBe(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('ignores CONTROL_MESSAGE bodies without touching the core', async () => {
    const applyFacts = vi.fn();
    const { handler } = analyzer({ store: { ...keyedOnly(memoryStore()), applyFacts } });
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [] };
    expect(await handler(sqsEvent([control]))).toEqual({ batchItemFailures: [] });
    expect(applyFacts).not.toHaveBeenCalled();
    expect(deadLettered()).toEqual([]);
  });
});

describe('analyzer environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  const load = () => import('../../functions/handlers/analyzer.ts');

  it('fails at module load naming every missing variable', async () => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', undefined);
    vi.stubEnv('ALERT_TOPIC_ARN', undefined);
    await expect(load()).rejects.toThrow('pivotguard analyzer: invalid environment: TABLE_NAME is not set; ALERT_TOPIC_ARN is not set');
  });

  it('fails at module load when the configuration parameter is not named or its hash is malformed', async () => {
    vi.resetModules();
    vi.stubEnv('PIVOTGUARD_CONFIG_PARAMETER', undefined);
    vi.stubEnv('PIVOTGUARD_CONFIG_SHA256', 'abc');
    await expect(load()).rejects.toThrow(/PIVOTGUARD_CONFIG_PARAMETER is not set; PIVOTGUARD_CONFIG_SHA256 is not a sha256/);
  });

  it('needs the product ARN when the Security Hub export is on', async () => {
    vi.resetModules();
    vi.stubEnv('SECURITY_HUB', '1');
    await expect(load()).rejects.toThrow('SECURITY_HUB_PRODUCT_ARN is not set (SECURITY_HUB=1 needs it)');
    vi.resetModules();
    vi.stubEnv('SECURITY_HUB_PRODUCT_ARN', 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default');
    expect(typeof (await load()).handler).toBe('function');
  });

  it('loads with a complete environment, the configuration read later from its parameter', async () => {
    vi.resetModules();
    const module = await load();
    expect(module.analyzerEnvironment(process.env).PIVOTGUARD_CONFIG_PARAMETER).toBe('/pivotguard/config');
    expect(typeof module.handler).toBe('function');
  });
});
