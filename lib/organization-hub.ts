import { ArnFormat, Aws, Duration, Lazy, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeploymentConfigError } from './config-file.ts';
import type { HandlerFunction } from './function.ts';

/** The role every member account holds for the hub's containment; the containment adapters assume it by this name. */
export const MEMBER_CONTAINMENT_ROLE_NAME = 'pivotguard-member-containment';
/** The read-only role every member account holds for the hub's analyzer: its enrichment reads another account's roles and clusters through it. */
export const MEMBER_READER_ROLE_NAME = 'pivotguard-member-reader';
/** The CloudWatch Logs destination member accounts subscribe their clusters' audit logs to. */
export const AUDIT_LOG_DESTINATION_NAME = 'pivotguard-audit-logs';
/** The hub's stream every region's destination puts audit logs on. */
export const AUDIT_LOG_STREAM_NAME = 'pivotguard-audit-logs';
/** AWS Organizations IDs: o- and 10 to 32 lowercase letters or digits. */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export interface OrganizationHubProps {
  readonly organizationId: string;
  readonly bus: events.EventBus;
  readonly queue: sqs.IQueue;
  readonly key: kms.IKey;
  /** The analyzer function, which reads member accounts' roles and clusters through the member reader role. */
  readonly analyzer: HandlerFunction;
  /** The containment and undo functions, which act in member accounts through the member role; absent when containment is off. */
  readonly containment?: { readonly handler: HandlerFunction; readonly undo: HandlerFunction };
}

/**
 * What makes one pivotguard the hub of an organization: its bus accepts events from the
 * organization's accounts, a CloudWatch Logs destination (backed by a Kinesis stream, the only way
 * CloudWatch Logs delivers across accounts besides Firehose) takes their clusters' audit logs, a
 * pipe moves each stream record into the queue as the subscription payload the analyzer already
 * reads, containment may assume the member containment role and the analyzer the member reader
 * role, in the organization's accounts only.
 */
export class OrganizationHub extends Construct {
  readonly stream: kinesis.Stream;
  readonly destination: logs.CfnDestination;
  /** The role CloudWatch Logs assumes to put member audit logs on the stream. */
  readonly logsRole: iam.Role;
  readonly pipeRole: iam.Role;
  readonly pipe: pipes.CfnPipe;
  /** Regions besides the hub's whose destinations CloudWatch Logs delivers through the logs role. */
  private readonly destinationRegions: string[] = [];
  /** The functions that reach member accounts: they look for a member cluster in the member regions. */
  private readonly memberReaching: HandlerFunction[] = [];

  constructor(scope: Construct, id: string, props: OrganizationHubProps) {
    super(scope, id);
    if (!ORGANIZATION_ID.test(props.organizationId))
      throw new DeploymentConfigError(`organizationId: "${props.organizationId}" is not an AWS Organizations ID (o-…)`);
    const stack = Stack.of(this);
    const inOrganization = { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } };

    // PutEvents refuses `aws.` sources, so an account of the organization can put forged events only with its own
    // source, which the forwarded-events rule does not match: only its EventBridge rules bring CloudTrail and GuardDuty here.
    props.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AcceptOrganizationAccounts',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: inOrganization,
      }),
    );

    // Named, as is the logs role: the destinations of the other regions (their own stacks) name both.
    this.stream = new kinesis.Stream(this, 'AuditLogs', {
      streamName: AUDIT_LOG_STREAM_NAME,
      shardCount: 1,
      retentionPeriod: Duration.hours(24),
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.key,
    });
    const sourceArns = Lazy.list({
      produce: () => [stack.region, ...this.destinationRegions].map((region) => `arn:${stack.partition}:logs:${region}:*:*`),
    });
    this.logsRole = new iam.Role(this, 'LogsRole', {
      roleName: auditLogDeliveryRoleName(stack.region),
      description: "CloudWatch Logs puts the organization's EKS audit logs on pivotguard's stream",
      // CloudWatch Logs acting for a log group of a region with a destination (its policy decides which accounts may subscribe).
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', { conditions: { StringLike: { 'aws:SourceArn': sourceArns } } }),
    });
    this.stream.grantWrite(this.logsRole);

    this.destination = auditLogDestination(this, 'Destination', {
      organizationId: props.organizationId,
      roleArn: this.logsRole.roleArn,
      targetArn: this.stream.streamArn,
    });
    this.destination.node.addDependency(this.logsRole);

    // A pipe, not a function: each stream record is the gzipped `logs` message a subscription delivers, and the analyzer
    // reads it wrapped as `{"awslogs":{"data":…}}`, control messages included.
    this.pipeRole = new iam.Role(this, 'PipeRole', {
      description: "Moves member audit logs from pivotguard's stream into its queue",
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    this.stream.grantRead(this.pipeRole);
    props.queue.grantSendMessages(this.pipeRole);
    this.pipe = new pipes.CfnPipe(this, 'AuditLogsToQueue', {
      description: "pivotguard: the organization's EKS audit logs, from the destination's stream into the queue",
      roleArn: this.pipeRole.roleArn,
      source: this.stream.streamArn,
      sourceParameters: {
        kinesisStreamParameters: { startingPosition: 'TRIM_HORIZON', batchSize: 1, maximumRetryAttempts: 185, maximumRecordAgeInSeconds: 86_400 },
      },
      target: props.queue.queueArn,
      targetParameters: { inputTemplate: '{"awslogs":{"data":"<$.data>"}}' },
    });
    this.pipe.node.addDependency(this.pipeRole);

    const assumeInOrganization = (fn: HandlerFunction, sid: string, roleName: string) => {
      this.memberReaching.push(fn);
      fn.function.addEnvironment('MEMBER_ROLE_NAME', roleName);
      fn.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid,
          actions: ['sts:AssumeRole'],
          resources: [memberRoleArns(this, roleName)],
          conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
        }),
      );
    };
    for (const fn of props.containment ? [props.containment.handler, props.containment.undo] : []) {
      assumeInOrganization(fn, 'ActInMemberAccounts', MEMBER_CONTAINMENT_ROLE_NAME);
    }
    assumeInOrganization(props.analyzer, 'ReadMemberAccounts', MEMBER_READER_ROLE_NAME);
  }

  /**
   * The regions the member template is deployed in: a member cluster whose region the configuration
   * does not give is looked for there by the functions that reach member accounts (EKS knows a
   * cluster by name only in its region).
   */
  deployMembersIn(regions: readonly string[]): void {
    for (const fn of this.memberReaching) fn.function.addEnvironment('MEMBER_REGIONS', [...new Set(regions)].join(','));
  }

  /** Lets CloudWatch Logs of `region` deliver through the logs role, for that region's destination (lib/organization-audit-region.ts). */
  acceptDestinationRegion(region: string): void {
    if (!this.destinationRegions.includes(region)) this.destinationRegions.push(region);
  }
}

export interface AuditLogDestinationProps {
  readonly organizationId: string;
  /** The role CloudWatch Logs assumes to put records on the target. */
  readonly roleArn: string;
  /** The hub's stream. */
  readonly targetArn: string;
}

/** The destination named AUDIT_LOG_DESTINATION_NAME in the scope's region, on which accounts of the organization only may subscribe. */
export function auditLogDestination(scope: Construct, id: string, props: AuditLogDestinationProps): logs.CfnDestination {
  const stack = Stack.of(scope);
  return new logs.CfnDestination(scope, id, {
    destinationName: AUDIT_LOG_DESTINATION_NAME,
    roleArn: props.roleArn,
    targetArn: props.targetArn,
    destinationPolicy: stack.toJsonString({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrganizationSubscriptions',
          Effect: 'Allow',
          Principal: '*',
          Action: 'logs:PutSubscriptionFilter',
          Resource: stack.formatArn({
            service: 'logs',
            resource: 'destination',
            resourceName: AUDIT_LOG_DESTINATION_NAME,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
          Condition: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
        },
      ],
    }),
  });
}

/** IAM is global: the hub's region in the name keeps two hubs of one account (in two regions) apart. */
export function auditLogDeliveryRoleName(hubRegion: string): string {
  return `pivotguard-audit-logs-${hubRegion}`;
}

/** The hub's logs role and stream, by name, from a stack in another region of the hub's account. */
export function hubAuditLogArns(hubRegion: string): { readonly roleArn: string; readonly streamArn: string } {
  return {
    roleArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${auditLogDeliveryRoleName(hubRegion)}`,
    streamArn: `arn:${Aws.PARTITION}:kinesis:${hubRegion}:${Aws.ACCOUNT_ID}:stream/${AUDIT_LOG_STREAM_NAME}`,
  };
}

/** A member role in any account: the organization condition beside it narrows it to the organization's. */
export function memberRoleArns(scope: Construct, roleName: string): string {
  return `arn:${Stack.of(scope).partition}:iam::*:role/${roleName}`;
}
