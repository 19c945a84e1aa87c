import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_EVENTS_FILTER, CLOUDTRAIL_EVENTS_PATTERN, GUARDDUTY_FINDINGS_PATTERN, clusterLogGroupName } from './event-patterns.ts';
import { HandlerFunction } from './function.ts';

/** How often SQS offers a record to the analyzer before parking it in the dead-letter queue. */
const MAX_RECEIVE_COUNT = 5;

export interface IngestProps {
  readonly clusters: readonly string[];
  readonly key: kms.IKey;
  /** SQS hides a record this long while the analyzer works on it (at least 6× its timeout). */
  readonly visibilityTimeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Everything that feeds the one queue: an EventBridge rule for GuardDuty findings, one for
 * CloudTrail management events, and a subscription filter per cluster whose audit events the
 * forwarder function copies into the queue. Records the pipeline cannot process are parked in
 * the dead-letter queue; none is dropped.
 */
export class Ingest extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly forwarder: HandlerFunction;
  readonly guardDutyRule: events.Rule;
  readonly cloudTrailRule: events.Rule;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.guardDutyRule = new events.Rule(this, 'GuardDutyFindings', {
      description: 'pivotguard: GuardDuty EKS Protection, Runtime Monitoring and attack sequence findings',
      eventPattern: GUARDDUTY_FINDINGS_PATTERN,
      targets: [new targets.SqsQueue(this.queue)],
    });

    this.cloudTrailRule = new events.Rule(this, 'CloudTrailEvents', {
      description: 'pivotguard: CloudTrail management events (including read-only) from the watched services',
      eventPattern: CLOUDTRAIL_EVENTS_PATTERN,
      targets: [new targets.SqsQueue(this.queue)],
    });
    // The L2 Rule only knows ENABLED/DISABLED; read-only management events need this state.
    (this.cloudTrailRule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

    // The SQS target lets EventBridge send without naming the rule when the queue is KMS-encrypted;
    // without this, a rule in any account that knows the queue ARN could inject "findings".
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyPivotGuardRules',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:SourceArn': [this.guardDutyRule.ruleArn, this.cloudTrailRule.ruleArn] } },
      }),
    );

    this.forwarder = new HandlerFunction(this, 'Forwarder', {
      entry: 'functions/handlers/forwarder.ts',
      description: 'pivotguard: copies EKS audit events from CloudWatch Logs into the pivotguard queue',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { QUEUE_URL: this.queue.queueUrl },
      key: props.key,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      // CloudWatch Logs invokes asynchronously: a payload that still fails after Lambda's retries is parked, not lost.
      deadLetterQueue: this.deadLetterQueue,
    });
    this.queue.grantSendMessages(this.forwarder.function);

    const destination = new destinations.LambdaDestination(this.forwarder.function);
    for (const cluster of props.clusters) {
      const logGroup = logs.LogGroup.fromLogGroupName(this, `${cluster}ClusterLogs`, clusterLogGroupName(cluster));
      new logs.SubscriptionFilter(this, `${cluster}AuditEvents`, {
        logGroup,
        destination,
        filterPattern: AUDIT_EVENTS_FILTER,
      });
    }
  }
}
