import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CONTAINMENT_GROUP } from '../functions/core/actions/cluster-group.ts';
import { iamActionsOn } from '../functions/core/actions/registry.ts';
import { ContainmentWorkflow } from './containment-workflow.ts';
import { EvidenceBucket } from './evidence-bucket.ts';
import { RESERVED_CONCURRENCY } from '../functions/core/deployment.ts';
import type { DeployedConfig } from './deployed-config.ts';
import { type FunctionVpc, HandlerFunction } from './function.ts';

/** The `service` dimension of each function's Powertools metrics (its POWERTOOLS_SERVICE_NAME); the dashboard reads them. */
export const CONTAINMENT_SERVICE = 'pivotguard-containment';
export const APPROVAL_SERVICE = 'pivotguard-approval';

// The IAM actions come from what each action's descriptor says it needs, so actions and policy move together.
/** Every IAM call session revocation and its undo make, on the roles pivotguard may contain. */
const ROLE_CONTAINMENT_ACTIONS = iamActionsOn('containable-roles').sort();
/** What reaching a cluster's API server takes (eks:DescribeCluster), on the configured clusters. */
const CLUSTER_ACTIONS = iamActionsOn('clusters').sort();
/** A person's decision on the approval page completes the waiting task, nothing else. */
const TASK_RESPONSE_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure'];
/** What containment may never do to pivotguard's own roles or the protected ones. */
const PROTECTED_ROLE_ACTIONS = ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'];

export interface ContainmentProps {
  readonly clusters: readonly string[];
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly key: kms.IKey;
  /** The pivotguard configuration parameter. */
  readonly config: DeployedConfig;
  /** IAM role ARN patterns whose sessions containment may revoke. */
  readonly containableRoleArns: readonly string[];
  /** Roles containment must never change, whatever `containableRoleArns` allows (break-glass, administrators). */
  readonly protectedRoleArns: readonly string[];
  /**
   * Clusters (of `clusters`) where the stack creates the EKS access entry for the containment
   * function. Opt-in: an access entry fails on a cluster in CONFIG_MAP authentication mode, and
   * must not roll detection back with it.
   */
  readonly clusterAccess: readonly string[];
  /** Whether the approval page and the containment function get reserved concurrency (an account needs 115 unreserved). */
  readonly reserveConcurrency: boolean;
  readonly vpc?: FunctionVpc;
  readonly approvalTimeout?: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Containment of an incident: the state machine the analyzer starts, the function that runs its
 * steps (evidence, pod isolation, session revocation, and their undo), the approval page people
 * decide on, the evidence bucket, and the secret that signs approval links. In each cluster the
 * function's role is mapped to the `pivotguard-containment` group, which has no rights until the
 * user applies `npx pivotguard rbac`.
 */
export class Containment extends Construct {
  readonly handler: HandlerFunction;
  readonly approvalPage: HandlerFunction;
  readonly approvalUrl: lambda.FunctionUrl;
  readonly stateMachine: sfn.StateMachine;
  readonly evidence: EvidenceBucket;
  readonly approvalSecret: secretsmanager.Secret;
  readonly accessEntries: eks.CfnAccessEntry[];
  readonly containableRoleArns: readonly string[];
  private readonly protectedRoles: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: ContainmentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.containableRoleArns = props.containableRoleArns;
    // The links in approval emails expire when the workflow stops waiting.
    const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);

    this.evidence = new EvidenceBucket(this, 'Evidence', { key: props.key, removalPolicy: props.removalPolicy });
    const bucket = this.evidence.bucket;
    this.approvalSecret = new secretsmanager.Secret(this, 'ApprovalSecret', {
      description: 'pivotguard: signs approval links (HMAC); replacing the value invalidates outstanding links',
      encryptionKey: props.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    // No APPROVAL_URL here: the approval page names this function, so the URL would close a cycle.
    // The analyzer puts the URL in each execution's input instead.
    this.handler = new HandlerFunction(this, 'Containment', {
      entry: 'functions/handlers/containment.ts',
      description: 'pivotguard: runs containment steps (evidence, isolation, revocation) and their undo',
      timeout: Duration.minutes(2),
      memorySize: 512,
      environment: {
        TABLE_NAME: props.table.tableName,
        EVIDENCE_BUCKET: bucket.bucketName,
        ALERT_TOPIC_ARN: props.topic.topicArn,
        APPROVAL_SECRET_ARN: this.approvalSecret.secretArn,
        CLUSTERS: props.clusters.join(','),
        APPROVAL_TIMEOUT_SECONDS: String(approvalTimeout.toSeconds()),
        // The account containment acts in: a role ARN of another account is refused, never acted on.
        ACCOUNT_ID: Stack.of(this).account,
        ...props.config.environment,
        POWERTOOLS_SERVICE_NAME: CONTAINMENT_SERVICE,
      },
      key: props.key,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      vpc: props.vpc,
      reservedConcurrentExecutions: props.reserveConcurrency ? RESERVED_CONCURRENCY.containment : undefined,
    });
    const fn = this.handler.function;
    props.config.grantRead(fn);
    props.table.grantReadWriteData(fn);
    props.topic.grantPublish(fn);
    this.approvalSecret.grantRead(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteEvidence',
        actions: iamActionsOn('evidence-objects'),
        resources: [bucket.arnForObjects('*')],
      }),
    );
    // Evidence objects are encrypted with pivotguard's key.
    props.key.grant(fn, ...iamActionsOn('evidence-key'));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReachClusters',
        actions: CLUSTER_ACTIONS,
        resources: props.clusters.map((name) => stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name })),
      }),
    );
    // The code only writes and deletes inline policies named pivotguard-revoke-* and
    // AWSRevokeOlderSessions-pivotguard-*; IAM has no condition key for a policy's name.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'RevokeRoleSessions', actions: ROLE_CONTAINMENT_ACTIONS, resources: [...this.containableRoleArns] }));

    // Access without any access policy: the rights come from the RBAC bound to this group.
    this.accessEntries = props.clusterAccess.map(
      (cluster) =>
        new eks.CfnAccessEntry(this, `${cluster}AccessEntry`, {
          clusterName: cluster,
          principalArn: this.handler.role.roleArn,
          type: 'STANDARD',
          kubernetesGroups: [CONTAINMENT_GROUP],
        }),
    );

    this.stateMachine = new ContainmentWorkflow(this, 'Workflow', {
      handler: fn,
      key: props.key,
      logRetention: props.logRetention,
      approvalTimeout,
    }).stateMachine;

    this.approvalPage = new HandlerFunction(this, 'ApprovalPage', {
      entry: 'functions/handlers/approval-page.ts',
      description: 'pivotguard: the page where a person approves or rejects disruptive containment steps',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: {
        TABLE_NAME: props.table.tableName,
        APPROVAL_SECRET_ARN: this.approvalSecret.secretArn,
        CONTAINMENT_FUNCTION_NAME: fn.functionName,
        STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        POWERTOOLS_SERVICE_NAME: APPROVAL_SERVICE,
      },
      key: props.key,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      reservedConcurrentExecutions: props.reserveConcurrency ? RESERVED_CONCURRENCY.approvalPage : undefined,
    });
    const page = this.approvalPage.function;
    // No IAM auth: people open it from an email. Every link it serves is HMAC-signed with the
    // approval secret and expires, and a decision link works once.
    this.approvalUrl = page.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    props.table.grantReadWriteData(page);
    this.approvalSecret.grantRead(page);
    page.addToRolePolicy(new iam.PolicyStatement({ sid: 'AnswerApproval', actions: TASK_RESPONSE_ACTIONS, resources: [this.stateMachine.stateMachineArn] }));
    // Undo from the page runs through the containment function, which holds the rights.
    page.addToRolePolicy(new iam.PolicyStatement({ sid: 'InvokeContainment', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));

    // An explicit deny wins over the containable-role allow, which may be every role of the account:
    // a forged step cannot lift pivotguard's own limits or lock out the people who administer it.
    this.protectedRoles = new iam.PolicyStatement({
      sid: 'NeverChangeProtectedRoles',
      effect: iam.Effect.DENY,
      actions: PROTECTED_ROLE_ACTIONS,
      resources: [this.handler.role.roleArn, this.approvalPage.role.roleArn, (this.stateMachine.role as iam.IRole).roleArn, ...props.protectedRoleArns],
    });
    fn.addToRolePolicy(this.protectedRoles);
  }

  /** Adds roles containment must never change (the stack's other functions). */
  protectRoles(roleArns: readonly string[]): void {
    this.protectedRoles.addResources(...roleArns);
  }
}
