/**
 * The analyzer Lambda with its AWS edges mocked, as test/handlers/analyzer.test.ts wires it:
 * SQS, SNS, EventBridge and IAM answer through aws-sdk-client-mock, state is the embedded store,
 * alert deliveries are remembered in memory.
 */
import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Config } from '#core/config';
import type { Incident } from '#core/model/incident';
import { createAnalyzer } from '#adapters/batch-analyzer';
import { IamRolePolicies } from '#adapters/enrichment/role-policies';
import { DLQ_URL, EVENT_BUS, TOPIC_ARN, lambdaContext } from '../fixtures/lambda-events.ts';
import { memoryStore } from '../fixtures/store.ts';

const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const iam = mockClient(IAMClient);

/** Idempotency records in memory, with the DynamoDB layer's rule that a put succeeds only for a new or expired key. */
class MemoryPersistenceLayer extends BasePersistenceLayer {
  private readonly records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.records.get(key);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    if (existing && !existing.isExpired()) throw new IdempotencyItemAlreadyExistsError(`record exists: ${record.idempotencyKey}`, existing);
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

export interface AnalyzerRun {
  responses: SQSBatchResponse[];
  /** Each alert put on the bus: its detail type and the incident it carried. */
  alerts: { detailType: string; incident: Incident }[];
  deadLetters: SendMessageCommandInput[];
}

/** A fresh analyzer (empty store, no alert sent yet) over the batches in order, on the clock `now`. */
export async function runAnalyzer(batches: SQSEvent[], config: Config, now: number): Promise<AnalyzerRun> {
  for (const mock of [sqs, sns, events, iam]) mock.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AmazonS3ReadOnlyAccess' }], IsTruncated: false });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  const handler = createAnalyzer({
    store: memoryStore(),
    config,
    clients: { sqs: new SQSClient({}), sns: new SNSClient({}), eventBridge: new EventBridgeClient({}) },
    targets: { deadLetterQueueUrl: DLQ_URL, alertTopicArn: TOPIC_ARN, eventBusName: EVENT_BUS },
    enrichment: { rolePolicies: new IamRolePolicies(new IAMClient({})) },
    idempotencyStore: new MemoryPersistenceLayer(),
    powertools: { logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'pivotguard-fuzz' }), tracer: new Tracer({ enabled: false }) },
    clock: () => new Date(now),
  });
  const responses: SQSBatchResponse[] = [];
  for (const batch of batches) responses.push(await handler(batch, lambdaContext()));
  return {
    responses,
    alerts: events.commandCalls(PutEventsCommand).map((call) => {
      const entry = call.args[0].input.Entries![0]!;
      return { detailType: entry.DetailType!, incident: JSON.parse(entry.Detail!) as Incident };
    }),
    deadLetters: sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input),
  };
}
