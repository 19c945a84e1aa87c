import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
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
/** Read-only: the NAT gateways of the clusters' VPCs as they are when a role is fenced. EC2's Describe calls support no resource-level permissions. */
const FENCE_NETWORK_ACTIONS = ['ec2:DescribeNatGateways'];
/** A person's decision on the approval page completes the waiting task, nothing else. */
const TASK_RESPONSE_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure'];
/** Every IAM call undo makes: reading and deleting pivotguard's own inline policies, putting a trust policy back. */
export const ROLE_UNDO_ACTIONS = ['iam:DeleteRolePolicy', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:UpdateAssumeRolePolicy'];
/** What containment may never do to pivotguard's own roles or the protected ones. */
export const PROTECTED_ROLE_ACTIONS = [
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
];

/** The tag that makes a role containable when roles are chosen by tag (`-c containableRoles=tagged`). */
export const CONTAINABLE_TAG = { key: 'pivotguard:containable', value: 'true' } as const;

/** The condition that limits a grant to roles carrying CONTAINABLE_TAG. */
export const TAGGED_CONTAINABLE_ROLES = { StringEquals: { [`aws:ResourceTag/${CONTAINABLE_TAG.key}`]: CONTAINABLE_TAG.value } };

/**
 * Which roles containment may change: those matching ARN patterns, or every role of the account
 * that carries the containable tag (the deny on protected roles wins either way).
 */
export type ContainableRoles = { readonly arns: readonly string[] } | { readonly tagged: true };

export interface ContainmentProps {
  readonly clusters: readonly string[];
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly key: kms.IKey;
  /** The pivotguard configuration parameter. */
  readonly config: DeployedConfig;
  /** The roles whose sessions containment may revoke. */
  readonly containableRoles: ContainableRoles;
  /** Roles containment must never change, whatever `containableRoles` allows (break-glass, administrators); wildcards allowed. */
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
 * steps (evidence, pod isolation, session revocation), the function that undoes them, the
 * approval page people decide on, the evidence bucket, and the secret that signs approval links.
 * In each cluster both functions' roles are mapped to the `pivotguard-containment` group, which
 * has no rights until the user applies `npx pivotguard rbac`.
 */
export class Containment extends Construct {
  readonly handler: HandlerFunction;
  /** Undo only: the approval page and the terminal invoke it, never the containment function. */
  readonly undo: HandlerFunction;
  readonly approvalPage: HandlerFunction;
  readonly approvalUrl: lambda.FunctionUrl;
  readonly stateMachine: sfn.StateMachine;
  readonly evidence: EvidenceBucket;
  readonly approvalSecret: secretsmanager.Secret;
  readonly accessEntries: eks.CfnAccessEntry[];
  /** The resources of the containable-role statements: the patterns, or every role of the account when chosen by tag. */
  readonly containableRoleArns: readonly string[];
  /** The ARN pattern of the state machine's executions, the only ones the containment function may describe. */
  readonly ownExecutions: string;
  private readonly protectedRoles: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: ContainmentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const everyRole = (name: string) => stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name });
    this.containableRoleArns = 'tagged' in props.containableRoles ? [everyRole('*')] : props.containableRoles.arns;
    // IAM's documentation names aws:ResourceTag for conditions on a role's tags (iam:ResourceTag is the older alias).
    const containableCondition = 'tagged' in props.containableRoles ? TAGGED_CONTAINABLE_ROLES : undefined;
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
      description: 'pivotguard: runs containment steps (evidence, isolation, revocation) for its own workflow executions',
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
    // Who an approval link is sent to: the topic's confirmed subscriptions, recorded beside the name a person declares.
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadAlertRecipients', actions: ['sns:ListSubscriptionsByTopic'], resources: [props.topic.topicArn] }));
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
    const clusterArns = props.clusters.map((name) => stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReachClusters', actions: CLUSTER_ACTIONS, resources: clusterArns }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadClusterNatGateways', actions: FENCE_NETWORK_ACTIONS, resources: ['*'] }));
    // The code only writes and deletes inline policies named pivotguard-revoke-* and
    // AWSRevokeOlderSessions-pivotguard-*; IAM has no condition key for a policy's name.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RevokeRoleSessions',
        actions: ROLE_CONTAINMENT_ACTIONS,
        resources: [...this.containableRoleArns],
        conditions: containableCondition,
      }),
    );

    const workflow = new ContainmentWorkflow(this, 'Workflow', {
      handler: fn,
      key: props.key,
      logRetention: props.logRetention,
      approvalTimeout,
    });
    this.stateMachine = workflow.stateMachine;
    // Built from the name fixed at synthesis, not the state machine's reference: the state machine already names this function.
    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: workflow.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.addEnvironment('STATE_MACHINE_ARN', stateMachineArn);
    // Every step checks it runs inside one of these executions, for its incident, still running.
    this.ownExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${workflow.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'VerifyOwnExecutions', actions: ['states:DescribeExecution'], resources: [this.ownExecutions] }));

    // Undo apart: whoever may undo (the page, the terminal) cannot run containment steps, and undo holds no more than it needs.
    this.undo = new HandlerFunction(this, 'Undo', {
      entry: 'functions/handlers/containment-undo.ts',
      description: 'pivotguard: undoes recorded containment steps, when the approval page or the terminal asks',
      timeout: Duration.minutes(2),
      memorySize: 512,
      environment: {
        TABLE_NAME: props.table.tableName,
        CLUSTERS: props.clusters.join(','),
        ACCOUNT_ID: stack.account,
        // The dashboard reads the undo KPIs (ActionsUndone, UndosFailed) under the containment service.
        POWERTOOLS_SERVICE_NAME: CONTAINMENT_SERVICE,
      },
      key: props.key,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      vpc: props.vpc,
    });
    const undo = this.undo.function;
    props.table.grantReadWriteData(undo);
    undo.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReachClusters', actions: CLUSTER_ACTIONS, resources: clusterArns }));
    undo.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'UndoRoleContainment',
        actions: ROLE_UNDO_ACTIONS,
        resources: [...this.containableRoleArns],
        conditions: containableCondition,
      }),
    );

    // Access without any access policy: the rights come from the RBAC bound to this group.
    this.accessEntries = props.clusterAccess.flatMap((cluster) => [
      new eks.CfnAccessEntry(this, `${cluster}AccessEntry`, {
        clusterName: cluster,
        principalArn: this.handler.role.roleArn,
        type: 'STANDARD',
        kubernetesGroups: [CONTAINMENT_GROUP],
      }),
      new eks.CfnAccessEntry(this, `${cluster}UndoAccessEntry`, {
        clusterName: cluster,
        principalArn: this.undo.role.roleArn,
        type: 'STANDARD',
        kubernetesGroups: [CONTAINMENT_GROUP],
      }),
    ]);

    this.approvalPage = new HandlerFunction(this, 'ApprovalPage', {
      entry: 'functions/handlers/approval-page.ts',
      description: 'pivotguard: the page where a person approves or rejects disruptive containment steps',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: {
        TABLE_NAME: props.table.tableName,
        APPROVAL_SECRET_ARN: this.approvalSecret.secretArn,
        UNDO_FUNCTION_NAME: undo.functionName,
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
    // Undo from the page runs in the undo function, which holds only undo's rights; the page cannot invoke containment.
    page.addToRolePolicy(new iam.PolicyStatement({ sid: 'InvokeUndo', actions: ['lambda:InvokeFunction'], resources: [undo.functionArn] }));

    // An explicit deny wins over the containable-role allow, which may be every role of the account (or every tagged one: a
    // tag is easy to add). A forged step cannot lift pivotguard's own limits, break the CDK deployment roles (cdk-*), or
    // lock out the people who administer the account.
    this.protectedRoles = new iam.PolicyStatement({
      sid: 'NeverChangeProtectedRoles',
      effect: iam.Effect.DENY,
      actions: PROTECTED_ROLE_ACTIONS,
      resources: [
        this.handler.role.roleArn,
        this.undo.role.roleArn,
        this.approvalPage.role.roleArn,
        (this.stateMachine.role as iam.IRole).roleArn,
        everyRole('cdk-*'),
        ...props.protectedRoleArns,
      ],
    });
    fn.addToRolePolicy(this.protectedRoles);
    undo.addToRolePolicy(this.protectedRoles);
  }

  /** Adds roles containment must never change (the stack's other functions). */
  protectRoles(roleArns: readonly string[]): void {
    this.protectedRoles.addResources(...roleArns);
  }
}
