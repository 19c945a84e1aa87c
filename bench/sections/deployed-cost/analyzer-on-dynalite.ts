import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Config } from '#core/config';
import type { RetentionPolicy } from '#core/store/retention';
import { createAnalyzer } from '#adapters/batch-analyzer';
import { StepFunctionsStarter } from '#adapters/containment/workflow-starter';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { DynamoDbStore } from '#adapters/dynamodb-store';
import { CloudTrailSessionBackfill } from '#adapters/enrichment/session-backfill';
import { IamRolePolicies } from '#adapters/enrichment/role-policies';
import { type CapacityMeter, meterCapacity } from './capacity-meter.ts';
import type { DynaliteProcess } from './dynalite-process.ts';

const ACCOUNT = '111122223333';
const STATE_TABLE = 'pivotguard-state';
const IDEMPOTENCY_TABLE = 'pivotguard-idempotency';

/** One invocation as the bench sees it: what the handler returned, its CPU and wall time, and when it published its first alert. */
export interface Invocation {
  response: SQSBatchResponse;
  cpuMs: number;
  wallMs: number;
  /** Wall ms from the start of the invocation to its first alert, when it sent one. */
  firstAlertMs?: number;
  alerts: number;
}

export interface DeployedAnalyzer {
  invoke(event: SQSEvent, now: number): Promise<Invocation>;
  meter: CapacityMeter;
}

/**
 * The analyzer as the stack deploys it (functions/handlers/analyzer.ts): the DynamoDB store, the
 * DynamoDB response store and the Powertools idempotency layer on dynalite, every call metered;
 * SQS, SNS, EventBridge, Step Functions, IAM and CloudTrail answered by aws-sdk-client-mock.
 */
export async function deployedAnalyzer(dynalite: DynaliteProcess, config: Config): Promise<DeployedAnalyzer> {
  await dynalite.createTable(STATE_TABLE, 'pk', 'sk');
  await dynalite.createTable(IDEMPOTENCY_TABLE, 'id');
  const client = dynalite.newClient();
  const meter = meterCapacity(client, dynalite.newClient());
  let alertAt: number[] = [];
  const publishedAt = () => {
    alertAt.push(performance.now());
    return {};
  };
  mockClient(SQSClient).on(SendMessageCommand).resolves({ MessageId: 'dead-letter' });
  mockClient(SNSClient)
    .on(PublishCommand)
    .callsFake(() => ({ ...publishedAt(), MessageId: 'alert' }));
  mockClient(EventBridgeClient)
    .on(PutEventsCommand)
    .callsFake(() => ({ ...publishedAt(), FailedEntryCount: 0, Entries: [{ EventId: 'alert' }] }));
  mockClient(SFNClient)
    .on(StartExecutionCommand)
    .resolves({ executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:pivotguard-containment:bench`, startDate: new Date() });
  const iam = mockClient(IAMClient);
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AmazonS3ReadOnlyAccess' }], IsTruncated: false });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  mockClient(CloudTrailClient).on(LookupEventsCommand).resolves({ Events: [] });

  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const retention: RetentionPolicy = { graphRetentionMs: config.graphRetentionHours * 3600_000, windowMs: config.windowHours * 3600_000 };
  let now = 0;
  const handler = createAnalyzer({
    store: new DynamoDbStore({ client, tableName: STATE_TABLE, retention }),
    config,
    clients: { sqs: new SQSClient({}), sns: new SNSClient({}), eventBridge: new EventBridgeClient({}) },
    targets: {
      deadLetterQueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/pivotguard-records-dlq`,
      alertTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:pivotguard-alerts`,
      eventBusName: 'pivotguard',
    },
    enrichment: { rolePolicies: new IamRolePolicies(new IAMClient({})), sessionBackfill: new CloudTrailSessionBackfill(new CloudTrailClient({})) },
    idempotencyStore: new DynamoDBPersistenceLayer({ tableName: IDEMPOTENCY_TABLE, awsSdkV3Client: client }),
    powertools: { logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'pivotguard-bench' }), tracer: new Tracer({ enabled: false }) },
    clock: () => new Date(now),
    responses: new DynamoDbResponseStore({ client, tableName: STATE_TABLE, clock: () => new Date(now) }),
    containment: new StepFunctionsStarter(
      new SFNClient({}),
      `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:pivotguard-containment`,
      'https://approve.example.com/',
    ),
  });
  return {
    meter,
    invoke: async (event, at) => {
      now = at;
      alertAt = [];
      const cpu = process.cpuUsage();
      const started = performance.now();
      const response = await handler(event, lambdaContext());
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return {
        response,
        cpuMs: (used.user + used.system) / 1000,
        wallMs,
        firstAlertMs: alertAt.length > 0 ? alertAt[0]! - started : undefined,
        alerts: alertAt.length,
      };
    },
  };
}

function lambdaContext(): Context {
  const functionName = 'pivotguard-analyzer';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
