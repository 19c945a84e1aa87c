import { ArnFormat, Duration, Names, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allowRulesToUseKey } from './encryption.ts';
import {
  AUDIT_EVENTS_FILTER,
  CLOUDTRAIL_EVENT_PATTERNS,
  FORWARDED_EVENTS_PATTERN,
  GUARDDUTY_FINDINGS_PATTERN,
  INSPECTOR_FINDINGS_PATTERN,
  clusterLogGroupName,
} from './event-patterns.ts';
import { HandlerFunction } from './function.ts';
import { QueueTarget } from './queue-target.ts';

/** How often SQS offers a record to the analyzer before parking it in the dead-letter queue. */
const MAX_RECEIVE_COUNT = 5;
/** SQS's longest retention: records wait out a long analyzer outage instead of expiring unread. */
const RETENTION = Duration.days(14);

export interface IngestProps {
  readonly clusters: readonly string[];
  readonly key: kms.IKey;
  /** pivotguard's event bus: forwarders in other regions deliver CloudTrail and GuardDuty events to it. */
  readonly bus: events.IEventBus;
  /** SQS hides a record this long while the analyzer works on it (at least 6× its timeout). */
  readonly visibilityTimeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Everything that feeds the one queue: EventBridge rules for GuardDuty and Inspector findings, rules for
 * CloudTrail management events, a rule for the events forwarded from other regions, and a
 * subscription filter per cluster whose audit events the forwarder function copies into the
 * queue. Records the pipeline cannot process, and events EventBridge could not deliver, are
 * parked in the dead-letter queue; none is dropped.
 */
export class Ingest extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly forwarder: HandlerFunction;
  readonly guardDutyRule: events.Rule;
  /** Inspector's findings on ECR images: what is known to be wrong with the images pods run. */
  readonly inspectorRule: events.Rule;
  readonly cloudTrailRules: events.Rule[];
  /** Events that forwarders in other regions put on pivotguard's bus. */
  readonly forwardedRule: events.Rule;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: RETENTION,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    const target = new QueueTarget(this.queue, this.deadLetterQueue);

    this.guardDutyRule = new events.Rule(this, 'GuardDutyFindings', {
      ruleName: this.ruleName('GuardDutyFindings'),
      description: 'pivotguard: GuardDuty findings about EKS clusters, their pods, nodes and roles',
      eventPattern: GUARDDUTY_FINDINGS_PATTERN,
      targets: [target],
    });

    this.inspectorRule = new events.Rule(this, 'InspectorFindings', {
      ruleName: this.ruleName('InspectorFindings'),
      description: 'pivotguard: Amazon Inspector package vulnerabilities of ECR container images',
      eventPattern: INSPECTOR_FINDINGS_PATTERN,
      targets: [target],
    });

    this.cloudTrailRules = CLOUDTRAIL_EVENT_PATTERNS.map((eventPattern, index) => {
      const id = index === 0 ? 'CloudTrailEvents' : `CloudTrailEvents${index + 1}`;
      const rule = new events.Rule(this, id, {
        ruleName: this.ruleName(id),
        description: 'pivotguard: the CloudTrail management events its rules and identity graph read (including read-only)',
        eventPattern,
        targets: [target],
      });
      // The L2 Rule only knows ENABLED/DISABLED; read-only management events need this state.
      (rule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
      return rule;
    });

    this.forwardedRule = new events.Rule(this, 'ForwardedEvents', {
      ruleName: this.ruleName('ForwardedEvents'),
      description: 'pivotguard: CloudTrail, GuardDuty and Inspector events forwarded from other regions',
      eventBus: props.bus,
      eventPattern: FORWARDED_EVENTS_PATTERN,
      targets: [target],
    });

    const ruleArns = this.rules.map(ruleArnOf);
    const account = Stack.of(this).account;
    // Only pivotguard's own rules may write: anything else that could send "findings" here
    // could hide an attack behind noise or forge one.
    for (const queue of [this.queue, this.deadLetterQueue]) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowPivotGuardRules',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnEquals: { 'aws:SourceArn': ruleArns } },
        }),
      );
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyPivotGuardRules',
          effect: iam.Effect.DENY,
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnNotEquals: { 'aws:SourceArn': ruleArns } },
        }),
      );
    }
    allowRulesToUseKey(props.key, ruleArns);

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

    // The permissions are written here rather than by the destination, to name the account too.
    const destination = new destinations.LambdaDestination(this.forwarder.function, { addPermissions: false });
    for (const cluster of props.clusters) {
      const logGroup = logs.LogGroup.fromLogGroupName(this, `${cluster}ClusterLogs`, clusterLogGroupName(cluster));
      this.forwarder.function.addPermission(`${cluster}AuditLogs`, {
        principal: new iam.ServicePrincipal('logs.amazonaws.com'),
        sourceArn: logGroup.logGroupArn,
        sourceAccount: account,
      });
      const filter = new logs.SubscriptionFilter(this, `${cluster}AuditEvents`, {
        logGroup,
        destination,
        filterPattern: AUDIT_EVENTS_FILTER,
      });
      // CloudWatch Logs checks it may invoke the function when the filter is created.
      filter.node.addDependency(this.forwarder.function.node.findChild(`${cluster}AuditLogs`));
    }
  }

  /**
   * Rule names are set rather than left to CloudFormation so that the policies can name the
   * rules' ARNs without referencing the rules: the key policy names the rules, the rules target
   * the queue, and the queue uses the key, so references would close a circle.
   */
  private ruleName(id: string): string {
    return `${Names.uniqueResourceName(this, { maxLength: 63 - id.length, separator: '-' })}-${id}`;
  }

  /** Every EventBridge rule that delivers to the queue, for alarms and policies. */
  get rules(): events.Rule[] {
    return [this.guardDutyRule, this.inspectorRule, ...this.cloudTrailRules, this.forwardedRule];
  }
}

function ruleArnOf(rule: events.Rule): string {
  const resource = rule.node.defaultChild as events.CfnRule;
  return Stack.of(rule).formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: resource.eventBusName === undefined ? resource.name : `${resource.eventBusName}/${resource.name}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
