import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { auditLogDestination, hubAuditLogArns } from './organization-hub.ts';

export interface AuditLogRegionProps extends StackProps {
  readonly organizationId: string;
  /** The hub's region, where its stream and queue are. */
  readonly hubRegion: string;
}

/** The stack, in the hub account, that holds the audit log destination of one more member region. */
export function auditLogRegionStackName(region: string): string {
  return `PivotGuard-AuditLogs-${region}`;
}

/**
 * The audit log destination of one member region besides the hub's, in the hub account. A log group
 * subscribes only to a destination of its own region, but the destination may point to a stream of
 * another region: "The sending account's log groups and the destination must be in the same AWS
 * Region. However, the destination can point to an AWS resource [...] located in a different Region"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateSubscriptionFilterFirehose-Account.html;
 * the Kinesis Data Streams steps of "Cross-account cross-Region subscriptions" say the same).
 * So every region's destination puts on the hub's one stream, through the hub's logs role, and no
 * stream, pipe or key is repeated here.
 */
export class AuditLogRegionStack extends Stack {
  readonly destination: logs.CfnDestination;

  constructor(scope: Construct, id: string, props: AuditLogRegionProps) {
    super(scope, id, props);
    if (this.region === props.hubRegion) throw new Error(`the hub's region ${this.region} has its audit log destination in the hub stack`);
    const hub = hubAuditLogArns(props.hubRegion);
    this.destination = auditLogDestination(this, 'Destination', { organizationId: props.organizationId, roleArn: hub.roleArn, targetArn: hub.streamArn });
  }
}
