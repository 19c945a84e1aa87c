import { CfnOutput, type Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PipelineAlarms } from './alarms.ts';
import { Alerting } from './alerting.ts';
import { ANALYZER_QUEUE_VISIBILITY, Analyzer } from './analyzer.ts';
import { DeploymentConfigError, validateConfig } from './config-file.ts';
import { CONTAINABLE_TAG, type ContainableRoles, Containment } from './containment.ts';
import { DeployedConfig } from './deployed-config.ts';
import { KpiDashboard } from './dashboard.ts';
import { Encryption } from './encryption.ts';
import type { FunctionVpc } from './function.ts';
import { Ingest } from './ingest.ts';
import { KpiAlarms, type KpiAlarmThresholds } from './kpi-alarms.ts';
import { acknowledgeNagFindings, acknowledgeOrganizationHub } from './nag.ts';
import { OrganizationHub } from './organization-hub.ts';
import { State } from './state.ts';

export interface PivotGuardProps {
  /**
   * Names of the EKS clusters whose audit logs pivotguard reads. Each needs control plane
   * logging with the `audit` log type turned on, so that `/aws/eks/NAME/cluster` exists.
   */
  readonly clusters: string[];
  /** Addresses that receive incident and pipeline alerts by email (each confirms once). */
  readonly alertEmails?: string[];
  /**
   * pivotguard configuration (namespaces, suppressions, containment actions), as the document
   * read from `pivotguard.yaml`. Checked against the schema here too.
   * @default {} (every setting at its default)
   */
  readonly config?: unknown;
  /**
   * What happens to the state table, the key and the function logs when the stack is deleted.
   * Queues and the idempotency table hold nothing worth keeping and are always deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** How long function and workflow logs are kept: containment's own record of what it did. @default one year */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Name of the custom event bus for incident events; change it to run two pivotguards in one
   * account and region.
   * @default 'pivotguard'
   */
  readonly eventBusName?: string;
  /**
   * Whether pivotguard contains incidents (evidence, pod isolation, session revocation, and
   * disruptive steps after approval). When false it only detects and alerts.
   * @default true
   */
  readonly containment?: boolean;
  /**
   * IAM role ARN patterns whose sessions containment may revoke (with an inline deny policy).
   * @default every role of this account: `arn:PARTITION:iam::ACCOUNT:role/*`
   */
  readonly containableRoleArns?: string[];
  /**
   * Contain only the roles of this account tagged `pivotguard:containable` = `true`
   * (`-c containableRoles=tagged`), instead of the roles `containableRoleArns` names.
   * @default false
   */
  readonly containTaggedRolesOnly?: boolean;
  /**
   * IAM role ARNs (wildcards allowed) containment never changes, even when `containableRoleArns`
   * matches them or they carry the containable tag: your break-glass and administrator roles.
   * pivotguard's own roles and the CDK bootstrap roles (`cdk-*`) are always protected.
   * @default none besides pivotguard's own and the CDK bootstrap roles
   */
  readonly protectedRoleArns?: string[];
  /**
   * Clusters (of `clusters`) in which the stack creates an EKS access entry for the containment
   * function. An access entry needs the cluster's authentication mode to be `API` or
   * `API_AND_CONFIG_MAP` (`pivotguard doctor` checks it); a cluster left out is still watched,
   * and containment reaches it once you map the function's role yourself.
   * @default none
   */
  readonly clusterAccess?: string[];
  /**
   * Whether the public approval page is capped, and containment guaranteed, by reserved
   * concurrency. Lambda refuses a reservation that leaves an account fewer than 100 unreserved
   * executions, so accounts with a low concurrency quota (new accounts) must turn it off or raise
   * the quota first; `pivotguard doctor` says which.
   * @default true
   */
  readonly reserveConcurrency?: boolean /**
   * Runs the containment function in this VPC, for clusters whose API server endpoint is private.
   * The subnets need a NAT gateway or VPC endpoints for EKS, STS, IAM, S3, DynamoDB, SNS, Secrets Manager and X-Ray.
   */;
  readonly containmentVpc?: FunctionVpc;
  /** How long a disruptive step waits for a person; after that it is not run. @default 24 hours */
  readonly approvalTimeout?: Duration;
  /**
   * When the response KPIs alert the topic: detection slower than `timeToDetectMinutes` (p90 over
   * an hour), an incident uncontained for `uncontainedMinutes`, `containmentFailures` failed steps in an hour.
   * @default 30 minutes, 30 minutes, 1 failure
   */
  readonly kpiAlarms?: KpiAlarmThresholds;
  /**
   * Whether each alerted incident is also imported into AWS Security Hub as a finding (ASFF), in
   * this account and region. Security Hub must be enabled there.
   * @default false
   */
  readonly securityHub?: boolean;
  /**
   * Makes this pivotguard the hub of an AWS Organization (`o-…`): its bus accepts events from the
   * organization's accounts, a CloudWatch Logs destination takes their audit logs, and containment
   * acts in them through the member role (lib/organization-member.ts).
   * @default none: this account only
   */
  readonly organizationId?: string;
}

// EKS cluster names: 1-100 characters, letters, digits, hyphens and underscores, starting alphanumeric.
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::(\d{12}|\*):role\/\S+$/;
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * pivotguard in one construct, for `cdk deploy` or embedding in your own app.
 *
 * It reads what AWS already records about your clusters and turns it into a few incidents:
 * - EKS audit logs, through a subscription filter on each cluster's existing log group
 *   `/aws/eks/NAME/cluster` (a log group takes at most two subscription filters);
 * - GuardDuty EKS Protection, Runtime Monitoring and attack sequence findings;
 * - CloudTrail management events, read-only ones included, from the services its rules watch.
 *   CloudTrail delivers management events to EventBridge only while the account has a trail
 *   (any trail logging management events in this region, or a multi-region or organization
 *   trail): without one the CloudTrail rule stays silent.
 *
 * All three feed one encrypted SQS queue; the analyzer function reads it in batches, keeps
 * state in DynamoDB and reports incidents by email (SNS) and as events on its own event bus.
 * Every store is encrypted with one customer managed key, and the pipeline alarms when records
 * pile up or cannot be processed.
 */
export class PivotGuard extends Construct {
  /** The customer managed key that encrypts tables, queues, the topic and the logs. */
  readonly key: kms.IKey;
  /** State between batches: identity graph, signals and incidents. */
  readonly table: dynamodb.Table;
  /** Powertools idempotency records for redelivered queue records. */
  readonly idempotencyTable: dynamodb.Table;
  /** Everything the analyzer reads: audit events, CloudTrail events, GuardDuty findings. */
  readonly queue: sqs.IQueue;
  /** Records that could not be processed, with the reason when the analyzer rejected them. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Alerts for people: incidents and pipeline alarms. */
  readonly topic: sns.ITopic;
  /** Incident events (`Incident Opened`, `Incident Escalated`) for automation. */
  readonly bus: events.IEventBus;
  readonly analyzer: lambda.IFunction;
  readonly forwarder: lambda.IFunction;
  /** Runs the containment workflow's steps; absent when containment is off. */
  readonly containmentFunction?: lambda.IFunction;
  /** Undoes recorded containment steps (the approval page and the CLI invoke it); absent when containment is off. */
  readonly undoFunction?: lambda.IFunction;
  /** One execution per contained incident; absent when containment is off. */
  readonly stateMachine?: sfn.IStateMachine;
  /** Evidence captured before containment changes anything; absent when containment is off. */
  readonly evidenceBucket?: s3.IBucket;
  /** The response KPIs and the pipeline's health, named `STACK-pivotguard`. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The organization side of the hub; absent in single-account mode. */
  readonly organizationHub?: OrganizationHub;

  constructor(scope: Construct, id: string, props: PivotGuardProps) {
    super(scope, id);
    const clusters = checkClusters(props.clusters);
    const alertEmails = checkAlertEmails(props.alertEmails ?? []);
    const config = validateConfig(props.config ?? {}, 'config');
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    const clusterAccess = checkClusterAccess(props.clusterAccess ?? [], clusters);
    const { key } = new Encryption(this, 'Encryption', { removalPolicy });
    const deployedConfig = new DeployedConfig(this, 'Config', { document: config });
    const state = new State(this, 'State', { key, removalPolicy });
    const alerting = new Alerting(this, 'Alerting', { key, alertEmails, eventBusName: props.eventBusName ?? 'pivotguard' });
    const ingest = new Ingest(this, 'Ingest', {
      clusters,
      key,
      bus: alerting.bus,
      visibilityTimeout: ANALYZER_QUEUE_VISIBILITY,
      logRetention,
      removalPolicy,
    });
    const containment =
      props.containment === false
        ? undefined
        : new Containment(this, 'Containment', {
            clusters,
            table: state.table,
            topic: alerting.topic,
            key,
            config: deployedConfig,
            containableRoles: containableRoles(this, props),
            protectedRoleArns: checkRoleArns(props.protectedRoleArns, 'protectedRoleArns') ?? [],
            clusterAccess,
            reserveConcurrency: props.reserveConcurrency !== false,
            vpc: props.containmentVpc,
            approvalTimeout: props.approvalTimeout,
            logRetention,
            removalPolicy,
          });
    const analyzer = new Analyzer(this, 'Analysis', {
      clusters,
      queue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
      table: state.table,
      idempotencyTable: state.idempotencyTable,
      topic: alerting.topic,
      bus: alerting.bus,
      key,
      config: deployedConfig,
      logRetention,
      removalPolicy,
      containment: containment && { stateMachine: containment.stateMachine, approvalUrl: containment.approvalUrl.url },
      securityHub: props.securityHub === true,
    });
    new PipelineAlarms(this, 'Alarms', {
      queue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
      topic: alerting.topic,
      rules: ingest.rules,
    });
    containment?.protectRoles([analyzer.handler.role.roleArn, ingest.forwarder.role.roleArn]);
    new KpiAlarms(this, 'KpiAlarms', { topic: alerting.topic, stateMachine: containment?.stateMachine, thresholds: props.kpiAlarms });
    const { dashboard } = new KpiDashboard(this, 'Kpis', {
      queue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
      analyzer: analyzer.handler.function,
      stateMachine: containment?.stateMachine,
      securityHub: props.securityHub === true,
    });

    this.key = key;
    this.table = state.table;
    this.idempotencyTable = state.idempotencyTable;
    this.queue = ingest.queue;
    this.deadLetterQueue = ingest.deadLetterQueue;
    this.topic = alerting.topic;
    this.bus = alerting.bus;
    this.analyzer = analyzer.handler.function;
    this.forwarder = ingest.forwarder.function;
    this.containmentFunction = containment?.handler.function;
    this.undoFunction = containment?.undo.function;
    this.stateMachine = containment?.stateMachine;
    this.evidenceBucket = containment?.evidence.bucket;
    this.dashboard = dashboard;

    // The CLI finds the stack's resources by these output names.
    output(this, 'StateTableName', state.table.tableName, 'pivotguard state table (incidents, containment records)');
    if (containment) {
      output(this, 'ContainmentFunctionName', containment.handler.function.functionName, 'Runs the containment workflow steps');
      output(this, 'UndoFunctionName', containment.undo.function.functionName, 'Undoes recorded containment steps (pivotguard undo --function)');
      output(this, 'StateMachineArn', containment.stateMachine.stateMachineArn, 'Containment workflow, one execution per incident');
      output(this, 'EvidenceBucketName', containment.evidence.bucket.bucketName, 'Evidence captured before containment');
      output(
        this,
        'ContainmentRbac',
        `In each cluster (${clusters.join(', ')}), as a cluster admin: npx pivotguard rbac | kubectl apply -f -`,
        'Kubernetes RBAC for the containment function; the stack does not apply it, which would need a standing cluster-admin principal',
      );
    }

    acknowledgeNagFindings({
      analyzer: analyzer.handler,
      forwarder: ingest.forwarder,
      deadLetterQueue: ingest.deadLetterQueue,
      analyzerWildcardResources: analyzer.wildcardResources,
      containment,
    });

    if (props.organizationId !== undefined) {
      this.organizationHub = new OrganizationHub(this, 'Organization', {
        organizationId: props.organizationId,
        bus: alerting.bus,
        queue: ingest.queue,
        key,
        analyzer: analyzer.handler,
        containment: containment && { handler: containment.handler, undo: containment.undo },
      });
      acknowledgeOrganizationHub(this.organizationHub, analyzer.handler, containment);
    }
  }
}

/** Outputs keep their plain name as the key, whatever construct path PivotGuard sits at. */
function output(scope: Construct, name: string, value: string, description: string): void {
  new CfnOutput(scope, name, { value, description }).overrideLogicalId(name);
}

function checkClusters(clusters: readonly string[]): string[] {
  const unique = [...new Set(clusters)];
  if (unique.length === 0) throw new DeploymentConfigError('PivotGuard needs at least one EKS cluster name (clusters)');
  const bad = unique.find((name) => !CLUSTER_NAME.test(name));
  if (bad !== undefined) throw new DeploymentConfigError(`clusters: "${bad}" is not an EKS cluster name (letters, digits, - and _, at most 100)`);
  return unique;
}

function containableRoles(scope: Construct, props: PivotGuardProps): ContainableRoles {
  if (props.containTaggedRolesOnly === true) {
    if (props.containableRoleArns !== undefined) {
      throw new DeploymentConfigError(
        `containableRoleArns: leave it out when containing only roles tagged ${CONTAINABLE_TAG.key}=${CONTAINABLE_TAG.value} (containTaggedRolesOnly)`,
      );
    }
    return { tagged: true };
  }
  const arns = checkRoleArns(props.containableRoleArns, 'containableRoleArns') ?? [
    Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' }),
  ];
  return { arns };
}

function checkRoleArns(arns: readonly string[] | undefined, setting: 'containableRoleArns' | 'protectedRoleArns'): string[] | undefined {
  if (arns === undefined) return undefined;
  if (arns.length === 0 && setting === 'containableRoleArns') {
    throw new DeploymentConfigError('containableRoleArns: name at least one role ARN pattern, or leave it out for every role of the account');
  }
  const bad = arns.find((arn) => !Token.isUnresolved(arn) && !ROLE_ARN.test(arn));
  if (bad !== undefined) throw new DeploymentConfigError(`${setting}: "${bad}" is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME, * allowed)`);
  return [...new Set(arns)];
}

function checkClusterAccess(names: readonly string[], clusters: readonly string[]): string[] {
  const unknown = names.find((name) => !clusters.includes(name));
  if (unknown !== undefined) throw new DeploymentConfigError(`clusterAccess: "${unknown}" is not one of the clusters (${clusters.join(', ')})`);
  return [...new Set(names)];
}

function checkAlertEmails(addresses: readonly string[]): string[] {
  const unique = [...new Set(addresses)];
  const bad = unique.find((address) => !EMAIL_ADDRESS.test(address));
  if (bad !== undefined) throw new DeploymentConfigError(`alertEmails: "${bad}" is not an email address`);
  return unique;
}
