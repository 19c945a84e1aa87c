import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DeployedConfig } from './deployed-config.ts';
import { HandlerFunction } from './function.ts';

/** One analyzer invocation: a batch of up to 100 records, with the enrichment calls they need. */
const ANALYZER_TIMEOUT = Duration.seconds(60);
export const ANALYZER_BATCH_SIZE = 100;
/** Three seconds keep the p99 from queue to alert under 5 s (npm run bench, deployed cost); longer saves little. */
export const ANALYZER_BATCHING_WINDOW = Duration.seconds(3);
/** At most this many batches at once: a flood of records queues up instead of throttling DynamoDB and IAM. */
export const ANALYZER_MAX_CONCURRENCY = 5;
/** AWS's guidance for Lambda on SQS: hide a record for six function timeouts plus the batching window. */
export const ANALYZER_QUEUE_VISIBILITY = Duration.seconds(6 * ANALYZER_TIMEOUT.toSeconds() + ANALYZER_BATCHING_WINDOW.toSeconds());

/** The `service` dimension of the analyzer's Powertools metrics (its POWERTOOLS_SERVICE_NAME). */
export const ANALYZER_SERVICE = 'pivotguard';

/** Read-only calls that tell the analyzer what a role may do (blast radius). */
const IAM_ENRICHMENT_ACTIONS = ['iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetRolePolicy'];
/** Read-only calls that map a cluster's service accounts to roles (EKS Pod Identity). */
const EKS_CLUSTER_ACTIONS = ['eks:DescribeCluster', 'eks:ListPodIdentityAssociations'];
const EKS_ASSOCIATION_ACTIONS = ['eks:DescribePodIdentityAssociation'];
/**
 * Read-only: the NAT gateways and VPC endpoints in the clusters' VPCs, the egress an address is
 * judged against. EC2's Describe calls support no resource-level permissions.
 */
export const CLUSTER_NETWORK_ACTIONS = ['ec2:DescribeNatGateways', 'ec2:DescribeVpcEndpoints'];
/** Read-only look-back over recent management events; CloudTrail supports no resource scoping for it. */
const CLOUDTRAIL_LOOKUP_ACTIONS = ['cloudtrail:LookupEvents'];
/** Read-only: what Inspector found in an incident's image; ListFindings supports no resource scoping. */
export const IMAGE_FINDING_ACTIONS = ['inspector2:ListFindings'];
/** Read-only: ECR basic scanning's results for an image, on the account's repositories in the stack's region. */
export const IMAGE_SCAN_ACTIONS = ['ecr:DescribeImageScanFindings'];

export interface AnalyzerProps {
  readonly clusters: readonly string[];
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly bus: events.IEventBus;
  readonly key: kms.IKey;
  /** The pivotguard configuration parameter. */
  readonly config: DeployedConfig;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The containment workflow the analyzer starts for an incident; absent when containment is off. */
  readonly containment?: AnalyzerContainment;
  /** Whether the analyzer imports each alerted incident as a Security Hub finding. */
  readonly securityHub?: boolean;
}

export interface AnalyzerContainment {
  readonly stateMachine: sfn.IStateMachine;
  /** The approval page's URL, passed in each execution's input (the workflow cannot hold it without a cycle). */
  readonly approvalUrl: string;
}

/**
 * The analyzer function reads the queue in batches (normalize → link → detect → correlate),
 * keeps state in DynamoDB, and reports incidents to the alert topic and the incident bus.
 * Records it rejects go to the dead-letter queue with their reason; records that fail are
 * reported back to SQS one by one, so one bad record never replays a whole batch.
 */
export class Analyzer extends Construct {
  readonly handler: HandlerFunction;
  /** The read-only enrichment resources that need a wildcard: any role, and each cluster's associations. */
  readonly wildcardResources: string[];

  constructor(scope: Construct, id: string, props: AnalyzerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.handler = new HandlerFunction(this, 'Analyzer', {
      entry: 'functions/handlers/analyzer.ts',
      description: 'pivotguard: turns queued EKS audit, CloudTrail and GuardDuty records into incidents',
      timeout: ANALYZER_TIMEOUT,
      memorySize: 1024,
      environment: {
        TABLE_NAME: props.table.tableName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        ALERT_TOPIC_ARN: props.topic.topicArn,
        EVENT_BUS_NAME: props.bus.eventBusName,
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        ...props.config.environment,
        POWERTOOLS_SERVICE_NAME: ANALYZER_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: 'pivotguard',
      },
      key: props.key,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const fn = this.handler.function;
    // Its own calls come back through the CloudTrail rule; the analyzer drops them by role.
    fn.addEnvironment('ANALYZER_ROLE_ARN', fn.role!.roleArn);

    fn.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: ANALYZER_BATCH_SIZE,
        maxBatchingWindow: ANALYZER_BATCHING_WINDOW,
        reportBatchItemFailures: true,
        maxConcurrency: ANALYZER_MAX_CONCURRENCY,
      }),
    );
    props.config.grantRead(fn);
    props.table.grantReadWriteData(fn);
    props.idempotencyTable.grantReadWriteData(fn);
    props.deadLetterQueue.grantSendMessages(fn);
    props.topic.grantPublish(fn);
    props.bus.grantPutEventsTo(fn);
    if (props.containment) {
      fn.addEnvironment('CONTAINMENT_STATE_MACHINE_ARN', props.containment.stateMachine.stateMachineArn);
      fn.addEnvironment('APPROVAL_URL', props.containment.approvalUrl);
      props.containment.stateMachine.grantStartExecution(fn);
    }
    if (props.securityHub) {
      // The account's own default product: findings about this account, no partner integration.
      const product = stack.formatArn({ service: 'securityhub', resource: 'product', resourceName: `${stack.account}/default` });
      fn.addEnvironment('SECURITY_HUB', '1');
      fn.addEnvironment('SECURITY_HUB_PRODUCT_ARN', product);
      fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ImportFindings', actions: ['securityhub:BatchImportFindings'], resources: [product] }));
    }

    const anyRole = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' });
    const associations = props.clusters.map((name) =>
      stack.formatArn({ service: 'eks', resource: 'podidentityassociation', resourceName: `${name}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    );
    const repositories = stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' });
    this.wildcardResources = [anyRole, ...associations, repositories];

    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadRolePolicies', actions: IAM_ENRICHMENT_ACTIONS, resources: [anyRole] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadClusters',
        actions: EKS_CLUSTER_ACTIONS,
        resources: props.clusters.map((name) => stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name })),
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadPodIdentityAssociations', actions: EKS_ASSOCIATION_ACTIONS, resources: associations }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadClusterNetworks', actions: CLUSTER_NETWORK_ACTIONS, resources: ['*'] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadImageFindings', actions: IMAGE_FINDING_ACTIONS, resources: ['*'] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadImageScans', actions: IMAGE_SCAN_ACTIONS, resources: [repositories] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'LookUpRecentManagementEvents',
        actions: CLOUDTRAIL_LOOKUP_ACTIONS,
        resources: ['*'],
      }),
    );
  }
}
