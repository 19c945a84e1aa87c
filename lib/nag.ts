import { Aws, Stack, Validations, type App } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
// cdk-nag's own rendering of a resource ARN in a finding ID, so the IDs below match its findings.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import type { Containment } from './containment.ts';
import type { HandlerFunction } from './function.ts';
import { MEMBER_CONTAINMENT_ROLE_NAME, MEMBER_READER_ROLE_NAME, memberRoleArns, type OrganizationHub } from './organization-hub.ts';
import type { OrganizationMemberStack } from './organization-member.ts';

/**
 * Runs the cdk-nag AwsSolutions checks on every stack of the app during synthesis; a finding
 * stops `cdk synth` and `cdk deploy`. Acknowledged findings are also written into the template
 * metadata (`cdk_nag.rules_to_suppress`) so that reviewers of the template see them.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

export interface NagScopes {
  readonly analyzer: HandlerFunction;
  readonly forwarder: HandlerFunction;
  /** The dead-letter queue of the ingest queue. */
  readonly deadLetterQueue: IConstruct;
  /** Resource ARNs with a wildcard the analyzer reads from (unknown role and association names). */
  readonly analyzerWildcardResources: readonly string[];
  /** Absent when containment is off. */
  readonly containment?: Containment;
}

/**
 * The AwsSolutions findings pivotguard accepts. Each is acknowledged on the one resource it
 * concerns, for the one finding (`RuleId[Finding]`), with the reason it is acceptable.
 */
export function acknowledgeNagFindings(scopes: NagScopes): void {
  const containment = scopes.containment;
  const handlers = [scopes.analyzer, scopes.forwarder, ...(containment ? [containment.handler, containment.undo, containment.approvalPage] : [])];
  for (const handler of handlers) {
    acknowledge(
      handler.function.node.defaultChild!,
      'AwsSolutions-L1',
      'The handlers are bundled for (esbuild target node22) and tested on nodejs22.x; a runtime upgrade is a deliberate, tested change.',
    );
    const policy = defaultPolicyOf(handler.role);
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      "CDK's grants for the encrypted queue, topic, tables and evidence bucket; the statement is limited to pivotguard's own key.",
    );
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      "CDK's grants for the encrypted queue, tables and secret; the statement is limited to pivotguard's own key.",
    );
  }
  acknowledge(
    defaultPolicyOf(scopes.forwarder.role),
    'AwsSolutions-IAM5[Resource::*]',
    'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which supports no resource-level permissions.',
  );
  const analyzerPolicy = defaultPolicyOf(scopes.analyzer.role);
  acknowledge(
    analyzerPolicy,
    'AwsSolutions-IAM5[Resource::*]',
    "Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), the read-only cloudtrail:LookupEvents, the read-only ec2:DescribeNatGateways and ec2:DescribeVpcEndpoints (the clusters' egress), and the read-only inspector2:ListFindings (an incident's image vulnerabilities), none of which supports resource-level permissions.",
  );
  const stack = Stack.of(scopes.analyzer);
  for (const arn of scopes.analyzerWildcardResources) {
    acknowledge(
      analyzerPolicy,
      `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
      arn.includes(':role/')
        ? 'Read-only IAM calls (list and get role policies) on roles of this account: the role a compromised pod uses is only known when the incident happens.'
        : arn.includes(':repository/')
          ? "Read-only ecr:DescribeImageScanFindings on this account's repositories in this region: the image a compromised pod runs is only known when the incident happens."
          : 'Read-only eks:DescribePodIdentityAssociation on the associations of one configured cluster; EKS assigns association IDs after deployment.',
    );
  }
  if (containment) acknowledgeContainment(containment);
  acknowledgeControlTowerFindings(scopes);
}

/**
 * The AWS Control Tower proactive controls (run in the tests through cdk-validator-cfnguard)
 * pivotguard does not meet, each acknowledged on its resource with the reason.
 */
function acknowledgeControlTowerFindings(scopes: NagScopes): void {
  const guard = (scope: IConstruct, rule: string, reason: string) => acknowledge(scope, `cdk-validator-cfnguard::${rule}`, reason);
  const containment = scopes.containment;
  for (const handler of [scopes.analyzer, scopes.forwarder, ...(containment ? [containment.approvalPage] : [])]) {
    guard(
      handler.function,
      'lambda_inside_vpc_check',
      'The function calls only AWS APIs over TLS with IAM credentials; a VPC would add NAT gateways or endpoints to every deployment for no isolation gained.',
    );
  }
  for (const handler of containment ? [containment.handler, containment.undo] : []) {
    if (handler.networkInterfaces !== undefined) continue;
    guard(
      handler.function,
      'lambda_inside_vpc_check',
      'Runs outside a VPC unless containmentVpc is set, which clusters with a private API endpoint need; the EKS API is otherwise reached over TLS with a short-lived token.',
    );
  }
  guard(
    scopes.forwarder.function,
    'lambda_function_public_access_prohibited_check',
    "Only CloudWatch Logs may invoke the forwarder, for this account's cluster log groups: SourceArn and SourceAccount are set, as CloudFormation functions the rule does not read.",
  );
  guard(
    scopes.deadLetterQueue,
    'sqs_dlq_check',
    'This is the dead-letter queue; a queue behind it would hide records that already failed, and its depth alarms instead.',
  );
  if (!containment) return;
  guard(
    containment.approvalPage.function,
    'lambda_function_public_access_prohibited_check',
    'The approval page is opened from an email, without AWS credentials: every link it serves is HMAC-signed, bound to one incident and wait, and expires.',
  );
  guard(
    containment.approvalPage.function,
    'lambda_function_url_auth_check',
    'People approve from the link in an email, without AWS credentials; the links are HMAC-signed and expire, and the page changes nothing on GET.',
  );
  const accessLogs = containment.evidence.accessLogs;
  guard(accessLogs, 's3_bucket_default_encryption_kms_check', 'S3 delivers server access logs only into buckets encrypted with S3-managed keys.');
  guard(accessLogs, 's3_bucket_logging_enabled_check', "This bucket receives the evidence bucket's access logs; logging it into itself would loop.");
  guard(accessLogs, 's3_bucket_object_lock_enabled_check', 'Access logs expire after a year; the evidence they describe is under Object Lock.');
}

function acknowledgeContainment(containment: Containment): void {
  const stack = Stack.of(containment);
  const resource = (arn: string) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`;
  const handler = containment.handler;
  const policy = defaultPolicyOf(handler.role);

  // The containment function and the undo function: both reach the clusters and the containable roles.
  for (const roleHolder of [handler, containment.undo]) {
    const rolePolicy = defaultPolicyOf(roleHolder.role);
    const networkInterfaces = roleHolder.networkInterfaces;
    // Only the containment function reads the NAT gateways, to fence a role to the cluster's current addresses.
    const natGateways = roleHolder === handler ? ", the read-only ec2:DescribeNatGateways (the cluster's addresses when a role is fenced)" : '';
    acknowledge(
      rolePolicy,
      'AwsSolutions-IAM5[Resource::*]',
      networkInterfaces === undefined
        ? `Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords)${natGateways}, which support no resource-level permissions.`
        : `Only X-Ray tracing${natGateways} and the read-only ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets Lambda needs in a VPC, none of which supports resource-level permissions.`,
    );
    if (networkInterfaces !== undefined) {
      acknowledge(
        rolePolicy,
        resource(networkInterfaces),
        'The network interfaces Lambda creates for the function in its VPC, in this account and region; their IDs exist only once Lambda creates them.',
      );
    }
    for (const arn of containment.containableRoleArns.filter((pattern) => pattern.includes('*'))) {
      acknowledge(
        rolePolicy,
        resource(arn),
        'The roles pivotguard contains are only known when an incident happens. IAM has no condition key for an inline policy name; the code only writes and deletes policies named pivotguard-revoke-* and AWSRevokeOlderSessions-pivotguard-*. Narrow with containableRoleArns or -c containableRoles=tagged.',
      );
    }
  }
  acknowledge(
    policy,
    resource(containment.evidence.bucket.arnForObjects('*')),
    'Objects of the evidence bucket only (put, set retention, read back on retry); object keys are per incident, known at capture time.',
  );
  acknowledge(
    policy,
    resource(containment.ownExecutions),
    "states:DescribeExecution on the containment state machine's own executions, named per incident when they start: each step checks it runs in one.",
  );

  acknowledge(
    defaultPolicyOf(containment.approvalPage.role),
    'AwsSolutions-IAM5[Resource::*]',
    'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which supports no resource-level permissions.',
  );
  acknowledge(
    containment.approvalSecret.node.defaultChild!,
    'AwsSolutions-SMG4',
    'The secret only signs approval links; rotating it just invalidates outstanding links. Replace it by hand when needed: aws secretsmanager put-secret-value --secret-id ARN --secret-string "$(openssl rand -hex 32)".',
  );

  const workflowPolicy = defaultPolicyOf(containment.stateMachine.role as iam.Role);
  acknowledge(
    workflowPolicy,
    'AwsSolutions-IAM5[Resource::*]',
    'Only X-Ray tracing and the CloudWatch Logs delivery calls Step Functions logging needs (logs:CreateLogDelivery and related), which support no resource-level permissions.',
  );
  acknowledge(
    workflowPolicy,
    resource(`${handler.function.functionArn}:*`),
    "CDK's Lambda task grant: versions and aliases of the containment function, the one function the workflow invokes.",
  );
}

/** The hub's organization side: CDK's key grants for the stream, and the member roles in any account of the organization. */
export function acknowledgeOrganizationHub(hub: OrganizationHub, analyzer: HandlerFunction, containment: Containment | undefined): void {
  for (const role of [hub.logsRole, hub.pipeRole]) {
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
      acknowledge(
        defaultPolicyOf(role),
        `AwsSolutions-IAM5[Action::${action}]`,
        "CDK's grants for the encrypted audit-log stream and queue; the statement is limited to pivotguard's own key.",
      );
    }
  }
  acknowledge(
    hub.stream.node.defaultChild!,
    'AwsSolutions-KDS3',
    "The organization's audit logs are encrypted with pivotguard's one customer managed key, as the queue they go to is; one stream, one producer and one consumer keep the key's request cost small.",
  );
  const memberRole = (roleName: string) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(hub).resolve(memberRoleArns(hub, roleName)))}]`;
  for (const handler of containment ? [containment.handler, containment.undo] : []) {
    acknowledge(
      defaultPolicyOf(handler.role),
      memberRole(MEMBER_CONTAINMENT_ROLE_NAME),
      "sts:AssumeRole on the one member containment role, in whichever account of the organization an incident is: aws:ResourceOrgID limits it to the organization's accounts.",
    );
  }
  acknowledge(
    defaultPolicyOf(analyzer.role),
    memberRole(MEMBER_READER_ROLE_NAME),
    "sts:AssumeRole on the one read-only member reader role, in whichever account of the organization an incident is: aws:ResourceOrgID limits it to the organization's accounts.",
  );
}

/** The member template: its containment role acts on roles and clusters only known when an incident happens. */
export function acknowledgeOrganizationMember(member: OrganizationMemberStack): void {
  const policy = member.node.findChild('ContainmentPolicy').node.defaultChild!;
  const resource = (arn: string) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(member.resolve(arn))}]`;
  acknowledge(
    policy,
    resource(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`),
    'The roles the hub contains are only known when an incident happens; IAM has no condition key for an inline policy name, and the deny on protected roles (cdk-*, StackSets and Control Tower roles, this role) wins.',
  );
  acknowledge(
    policy,
    resource(`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`),
    "Read-only eks:DescribeCluster on this account's clusters in any region: the clusters of an incident are only known when it happens.",
  );
  acknowledge(
    policy,
    'AwsSolutions-IAM5[Resource::*]',
    "Only the read-only ec2:DescribeNatGateways (the cluster's addresses when a role is fenced), which supports no resource-level permissions.",
  );
  const readerPolicy = member.node.findChild('ReaderPolicy').node.defaultChild!;
  acknowledge(
    readerPolicy,
    resource(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`),
    "Read-only iam:ListAttachedRolePolicies and iam:ListRolePolicies on this account's roles: the roles an alert shows are only known when an incident happens.",
  );
  acknowledge(
    readerPolicy,
    resource(`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`),
    "Read-only eks:DescribeCluster and eks:ListPodIdentityAssociations on this account's clusters in any region: the clusters of an incident are only known when it happens.",
  );
  acknowledge(
    readerPolicy,
    resource(`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:podidentityassociation/*`),
    "Read-only eks:DescribePodIdentityAssociation on this account's clusters' associations: an association's ID is only known from the list.",
  );
  acknowledge(
    readerPolicy,
    'AwsSolutions-IAM5[Resource::*]',
    "Only the read-only ec2:DescribeNatGateways and ec2:DescribeVpcEndpoints (the cluster's egress), which support no resource-level permissions.",
  );
  for (const subscription of member.subscriptions) {
    acknowledge(
      subscription,
      'CloudFormation-Validate::E2529',
      'Each slot subscribes a different cluster named by the ClusterNames parameter, and a slot past the list is not created (its condition).',
    );
  }
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

function defaultPolicyOf(role: iam.Role): IConstruct {
  return role.node.findChild('DefaultPolicy');
}
