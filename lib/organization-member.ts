import { Aws, CfnCondition, CfnParameter, Duration, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CONTAINMENT_GROUP } from '../functions/core/actions/cluster-group.ts';
import { iamActionsOn } from '../functions/core/actions/registry.ts';
import { AUDIT_EVENTS_FILTER, CLOUDTRAIL_EVENT_PATTERNS, GUARDDUTY_FINDINGS_PATTERN, INSPECTOR_FINDINGS_PATTERN } from './event-patterns.ts';
import { PROTECTED_ROLE_ACTIONS, ROLE_UNDO_ACTIONS, TAGGED_CONTAINABLE_ROLES } from './containment.ts';
import { AUDIT_LOG_DESTINATION_NAME, MEMBER_CONTAINMENT_ROLE_NAME, MEMBER_READER_ROLE_NAME } from './organization-hub.ts';

/** Clusters per account and region the template can subscribe; a CloudFormation template cannot loop over a list parameter. */
export const MEMBER_CLUSTER_SLOTS = 8;
/** Session revocation and its undo: the same calls the hub's containment and undo functions make in their own account. */
const ROLE_CONTAINMENT_ACTIONS = [...new Set([...iamActionsOn('containable-roles'), ...ROLE_UNDO_ACTIONS])].sort();
/** Roles that deploy and administer member accounts: the CDK bootstrap roles, StackSets' execution roles, Control Tower's and Organizations'. */
const ALWAYS_PROTECTED_ROLE_NAMES = ['cdk-*', 'stacksets-exec-*', 'AWSControlTowerExecution', 'OrganizationAccountAccessRole'];
/** What the hub analyzer's enrichment reads in a member account: a role's policy names, a cluster and its Pod Identity roles. */
const ROLE_READ_ACTIONS = ['iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'];
const CLUSTER_READ_ACTIONS = ['eks:DescribeCluster', 'eks:ListPodIdentityAssociations'];
const POD_IDENTITY_READ_ACTIONS = ['eks:DescribePodIdentityAssociation'];
/** The cluster's NAT gateways and VPC endpoints: the egress the analyzer judges a member session's calls against. */
const NETWORK_READ_ACTIONS = ['ec2:DescribeNatGateways', 'ec2:DescribeVpcEndpoints'];

export interface OrganizationMemberProps extends StackProps {
  /** Contain only roles tagged `pivotguard:containable` = `true` instead of every role of the account. @default false */
  readonly containTaggedRolesOnly?: boolean;
  /** Role ARN patterns (any account: use `*` for the account) containment never changes, besides the always protected ones. */
  readonly protectedRoleArns?: readonly string[];
  /** Default of the ClusterNames parameter. */
  readonly clusters?: readonly string[];
  /** Default of the ClusterAccessNames parameter. */
  readonly clusterAccess?: readonly string[];
  /** Defaults of the hub's parameters, for an account onboarded by hand (`-c memberOf=…`); the StackSet passes them instead. */
  readonly hub?: MemberHubDefaults;
}

export interface MemberHubDefaults {
  readonly account: string;
  readonly region: string;
  readonly eventBusArn: string;
  readonly containmentRoleArn: string;
  readonly undoRoleArn: string;
  readonly analyzerRoleArn: string;
}

/**
 * What each account and region of the organization holds for the hub: EventBridge rules that forward
 * CloudTrail, GuardDuty and Inspector events to the hub's bus, a subscription of each cluster's audit
 * log to the hub's destination, and (once per account, in the hub's region) the containment role only
 * the hub's containment and undo functions may assume and the read-only reader role only the hub's
 * analyzer may assume. No asset and no function: a StackSet deploys the template as it is, and the
 * hub's values arrive as parameters.
 */
export class OrganizationMemberStack extends Stack {
  readonly rules: events.Rule[];
  readonly deadLetterQueue: sqs.Queue;
  readonly containmentRole: iam.Role;
  readonly readerRole: iam.Role;
  readonly forwarderRole: iam.Role;
  readonly subscriptions: logs.CfnSubscriptionFilter[];
  readonly accessEntries: eks.CfnAccessEntry[];

  constructor(scope: Construct, id: string, props: OrganizationMemberProps = {}) {
    super(scope, id, props);
    const hub = props.hub;
    const hubBusArn = new CfnParameter(this, 'HubEventBusArn', { description: "ARN of the hub's pivotguard event bus", default: hub?.eventBusArn })
      .valueAsString;
    const hubRegion = new CfnParameter(this, 'HubRegion', {
      description: "The hub's region: the account-wide containment role is made there",
      default: hub?.region,
    }).valueAsString;
    const hubAccount = new CfnParameter(this, 'HubAccountId', {
      description: 'The account of the pivotguard hub',
      allowedPattern: '^\\d{12}$',
      default: hub?.account,
    }).valueAsString;
    const hubContainmentRole = new CfnParameter(this, 'HubContainmentRoleArn', {
      description: "The hub's containment function role",
      default: hub?.containmentRoleArn,
    }).valueAsString;
    const hubUndoRole = new CfnParameter(this, 'HubUndoRoleArn', { description: "The hub's undo function role", default: hub?.undoRoleArn }).valueAsString;
    const hubAnalyzerRole = new CfnParameter(this, 'HubAnalyzerRoleArn', {
      description: "The hub's analyzer function role",
      default: hub?.analyzerRoleArn,
    }).valueAsString;
    const clusterNames = new CfnParameter(this, 'ClusterNames', {
      type: 'CommaDelimitedList',
      default: (props.clusters ?? []).join(','),
      description: `EKS clusters of this account and region whose audit logs go to the hub (at most ${MEMBER_CLUSTER_SLOTS}; override per account)`,
    }).valueAsList;
    const clusterAccessNames = new CfnParameter(this, 'ClusterAccessNames', {
      type: 'CommaDelimitedList',
      default: (props.clusterAccess ?? []).join(','),
      description: `EKS clusters (API or API_AND_CONFIG_MAP authentication) where the containment role gets an access entry (at most ${MEMBER_CLUSTER_SLOTS})`,
    }).valueAsList;

    const inHubRegion = new CfnCondition(this, 'InHubRegion', { expression: Fn.conditionEquals(Aws.REGION, hubRegion) });

    // Forwarding, as the region forwarder does, to another account's bus.
    this.forwarderRole = new iam.Role(this, 'ForwarderRole', {
      description: "Puts this region's CloudTrail, GuardDuty and Inspector events on the pivotguard hub's bus",
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'Undelivered', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const rule of ['AwsSolutions-SQS3', 'cdk-validator-cfnguard::sqs_dlq_check']) {
      Validations.of(this.deadLetterQueue).acknowledge({
        id: rule,
        reason: 'This is the dead-letter queue of the forwarding rules; a queue behind it would hide events that already failed.',
      });
    }
    const target = new targets.EventBus(events.EventBus.fromEventBusArn(this, 'HubBus', hubBusArn), {
      role: this.forwarderRole,
      deadLetterQueue: this.deadLetterQueue,
    });
    const guardDuty = new events.Rule(this, 'GuardDutyFindings', {
      description: 'pivotguard: forwards GuardDuty findings to the hub',
      eventPattern: GUARDDUTY_FINDINGS_PATTERN,
      targets: [target],
    });
    const inspector = new events.Rule(this, 'InspectorFindings', {
      description: 'pivotguard: forwards Inspector findings on ECR images to the hub',
      eventPattern: INSPECTOR_FINDINGS_PATTERN,
      targets: [target],
    });
    const cloudTrail = CLOUDTRAIL_EVENT_PATTERNS.map((eventPattern, index) => {
      const rule = new events.Rule(this, index === 0 ? 'CloudTrailEvents' : `CloudTrailEvents${index + 1}`, {
        description: 'pivotguard: forwards the CloudTrail events it reads to the hub',
        eventPattern,
        targets: [target],
      });
      // Read-only management events (AssumeRoleWithWebIdentity, GetSecretValue...) need this state.
      (rule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
      return rule;
    });
    this.rules = [guardDuty, inspector, ...cloudTrail];

    // IAM is global: the named role is made once per account, in the hub's region (the StackSet deploys that region first).
    const ownRoleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${MEMBER_CONTAINMENT_ROLE_NAME}`;
    const roleOfThisAccount = (name: string) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${name}`;
    this.containmentRole = new iam.Role(this, 'ContainmentRole', {
      roleName: MEMBER_CONTAINMENT_ROLE_NAME,
      description: "pivotguard hub's containment in this account: revokes role sessions and reaches the clusters",
      // The two role ARNs, not the hub account: no other role of the hub may act here.
      assumedBy: new iam.CompositePrincipal(new iam.ArnPrincipal(hubContainmentRole), new iam.ArnPrincipal(hubUndoRole)),
      maxSessionDuration: Duration.hours(1),
    });
    (this.containmentRole.node.defaultChild as iam.CfnRole).cfnOptions.condition = inHubRegion;
    const containable = props.containTaggedRolesOnly ? TAGGED_CONTAINABLE_ROLES : undefined;
    const policy = new iam.Policy(this, 'ContainmentPolicy', {
      roles: [this.containmentRole],
      statements: [
        new iam.PolicyStatement({ sid: 'RevokeRoleSessions', actions: ROLE_CONTAINMENT_ACTIONS, resources: [roleOfThisAccount('*')], conditions: containable }),
        new iam.PolicyStatement({
          sid: 'ReachClusters',
          actions: iamActionsOn('clusters').sort(),
          resources: [`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`],
        }),
        new iam.PolicyStatement({ sid: 'ReadClusterNatGateways', actions: ['ec2:DescribeNatGateways'], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'NeverChangeProtectedRoles',
          effect: iam.Effect.DENY,
          actions: PROTECTED_ROLE_ACTIONS,
          resources: [
            ownRoleArn,
            roleOfThisAccount(MEMBER_READER_ROLE_NAME),
            this.forwarderRole.roleArn,
            ...ALWAYS_PROTECTED_ROLE_NAMES.map(roleOfThisAccount),
            ...(props.protectedRoleArns ?? []),
          ],
        }),
      ],
    });
    (policy.node.defaultChild as iam.CfnPolicy).cfnOptions.condition = inHubRegion;

    // Once per account in the hub's region, as the containment role. Reads only: what an alert shows of a role or cluster of this account, and a cluster's egress.
    this.readerRole = new iam.Role(this, 'ReaderRole', {
      roleName: MEMBER_READER_ROLE_NAME,
      description: "pivotguard hub's analyzer in this account: reads role policy names, clusters and their networks for its alerts",
      // The analyzer role's ARN, not the hub account: no other role of the hub may read here.
      assumedBy: new iam.ArnPrincipal(hubAnalyzerRole),
      maxSessionDuration: Duration.hours(1),
    });
    (this.readerRole.node.defaultChild as iam.CfnRole).cfnOptions.condition = inHubRegion;
    const readerPolicy = new iam.Policy(this, 'ReaderPolicy', {
      roles: [this.readerRole],
      statements: [
        new iam.PolicyStatement({ sid: 'ReadRolePolicies', actions: ROLE_READ_ACTIONS, resources: [roleOfThisAccount('*')] }),
        new iam.PolicyStatement({ sid: 'ReadClusters', actions: CLUSTER_READ_ACTIONS, resources: [`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`] }),
        new iam.PolicyStatement({
          sid: 'ReadPodIdentityAssociations',
          actions: POD_IDENTITY_READ_ACTIONS,
          resources: [`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:podidentityassociation/*`],
        }),
        new iam.PolicyStatement({ sid: 'ReadClusterNetworks', actions: NETWORK_READ_ACTIONS, resources: ['*'] }),
      ],
    });
    (readerPolicy.node.defaultChild as iam.CfnPolicy).cfnOptions.condition = inHubRegion;

    this.subscriptions = [];
    this.accessEntries = [];
    // Each member region has a destination of its own (the hub's, or lib/organization-audit-region.ts): a log group
    // subscribes only to a destination of its own region.
    const destinationArn = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${hubAccount}:destination:${AUDIT_LOG_DESTINATION_NAME}`;
    for (let slot = 0; slot < MEMBER_CLUSTER_SLOTS; slot++) {
      const cluster = slotValue(clusterNames, slot);
      const subscribed = new CfnCondition(this, `SubscribeCluster${slot + 1}`, { expression: Fn.conditionNot(Fn.conditionEquals(cluster, '')) });
      const subscription = new logs.CfnSubscriptionFilter(this, `AuditEvents${slot + 1}`, {
        logGroupName: Fn.join('', ['/aws/eks/', cluster, '/cluster']),
        destinationArn,
        filterPattern: AUDIT_EVENTS_FILTER.logPatternString,
      });
      subscription.cfnOptions.condition = subscribed;
      this.subscriptions.push(subscription);

      const accessCluster = slotValue(clusterAccessNames, slot);
      const withAccess = new CfnCondition(this, `ClusterAccess${slot + 1}`, { expression: Fn.conditionNot(Fn.conditionEquals(accessCluster, '')) });
      // Access without any access policy: the rights come from the RBAC bound to the group (npx pivotguard rbac).
      const entry = new eks.CfnAccessEntry(this, `AccessEntry${slot + 1}`, {
        clusterName: accessCluster,
        principalArn: ownRoleArn,
        type: 'STANDARD',
        kubernetesGroups: [CONTAINMENT_GROUP],
      });
      entry.cfnOptions.condition = withAccess;
      this.accessEntries.push(entry);
    }
  }
}

/** The list's element at `slot`, or '' past its end (padding before Fn::Select, which fails past the end). */
function slotValue(list: string[], slot: number): string {
  return Fn.select(slot, Fn.split(',', Fn.join(',', [Fn.join(',', list), ','.repeat(MEMBER_CLUSTER_SLOTS)])));
}
