import { Aws, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CLOUDTRAIL_EVENT_PATTERNS, GUARDDUTY_FINDINGS_PATTERN, INSPECTOR_FINDINGS_PATTERN } from './event-patterns.ts';

export interface RegionForwarderProps extends StackProps {
  /** The region pivotguard runs in (its event bus and queue). */
  readonly pivotGuardRegion: string;
  /** pivotguard's event bus name in that region. @default 'pivotguard' */
  readonly eventBusName?: string;
}

/** The role forwarders put events with; the bus policy of pivotguard's stack names this pattern. */
export const FORWARDER_ROLE_PREFIX = 'PivotGuardForwarder-';

/**
 * Sends the CloudTrail, GuardDuty and Inspector events pivotguard reads from one more region to
 * pivotguard's bus in its own region, through the same patterns. IAM, Organizations, sign-in
 * and STS global-endpoint calls reach EventBridge only in us-east-1, and a stolen credential
 * used in another region is logged there: without a forwarder those calls are never seen.
 */
export class RegionForwarderStack extends Stack {
  readonly rules: events.Rule[];
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RegionForwarderProps) {
    super(scope, id, props);
    if (this.region === props.pivotGuardRegion) throw new Error(`a forwarder in ${this.region} would forward pivotguard's own region to itself`);
    const busArn = `arn:${Aws.PARTITION}:events:${props.pivotGuardRegion}:${Aws.ACCOUNT_ID}:event-bus/${props.eventBusName ?? 'pivotguard'}`;
    const bus = events.EventBus.fromEventBusArn(this, 'PivotGuardBus', busArn);

    // Named, so that pivotguard's bus policy can name the forwarders' roles.
    const role = new iam.Role(this, 'Role', {
      roleName: `${FORWARDER_ROLE_PREFIX}${this.region}`,
      description: `Puts the CloudTrail, GuardDuty and Inspector events of ${this.region} on pivotguard's bus in ${props.pivotGuardRegion}`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    // EventBridge parks here what it could not deliver across regions; it must be in this region.
    this.deadLetterQueue = new sqs.Queue(this, 'Undelivered', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const id of ['AwsSolutions-SQS3', 'cdk-validator-cfnguard::sqs_dlq_check']) {
      Validations.of(this.deadLetterQueue).acknowledge({
        id,
        reason: 'This is the dead-letter queue of the forwarding rules; a queue behind it would hide events that already failed.',
      });
    }
    const target = new targets.EventBus(bus, { role, deadLetterQueue: this.deadLetterQueue });

    const guardDuty = new events.Rule(this, 'GuardDutyFindings', {
      description: `pivotguard: forwards GuardDuty findings of ${this.region} to ${props.pivotGuardRegion}`,
      eventPattern: GUARDDUTY_FINDINGS_PATTERN,
      targets: [target],
    });
    // Images are pushed to ECR in any region a cluster pulls from; Inspector reports them there.
    const inspector = new events.Rule(this, 'InspectorFindings', {
      description: `pivotguard: forwards Inspector findings on ECR images of ${this.region} to ${props.pivotGuardRegion}`,
      eventPattern: INSPECTOR_FINDINGS_PATTERN,
      targets: [target],
    });
    const cloudTrail = CLOUDTRAIL_EVENT_PATTERNS.map((eventPattern, index) => {
      const rule = new events.Rule(this, index === 0 ? 'CloudTrailEvents' : `CloudTrailEvents${index + 1}`, {
        description: `pivotguard: forwards the CloudTrail events it reads in ${this.region} to ${props.pivotGuardRegion}`,
        eventPattern,
        targets: [target],
      });
      // Read-only management events (AssumeRoleWithWebIdentity, GetSecretValue...) need this state.
      (rule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
      return rule;
    });
    this.rules = [guardDuty, inspector, ...cloudTrail];
  }
}
