import { ArnFormat, AspectPriority, Aspects, type IAspect, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, type IConstruct } from 'constructs';
import { alarmSourceConditions } from './alerting.ts';

export interface EncryptionProps {
  readonly removalPolicy: RemovalPolicy;
}

/** What a service that writes into an encrypted SQS queue or SNS topic needs of the key. */
const ENVELOPE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * The one customer managed key behind everything pivotguard stores: tables, queues, the alert
 * topic and the function logs. The key policy names the AWS services that encrypt on
 * pivotguard's behalf, each only for this account's resources; pivotguard's own roles get their
 * KMS permissions from grants in IAM.
 */
export class Encryption extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'pivotguard: encrypts incident state, queued security events, alerts and logs',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });

    // CloudWatch Logs encrypts log groups with the key; the condition limits it to log groups
    // of this account and region (the documented form of this grant).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    // CloudWatch alarms publish to the encrypted alert topic, for this account's alarms only.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishAlerts',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ENVELOPE_ACTIONS,
        resources: ['*'],
        conditions: alarmSourceConditions(this),
      }),
    );

    // Nobody hands themselves lasting use of the key through a grant: grants are for AWS services
    // acting on AWS resources (Control Tower proactive control CT.KMS.PR.3).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'GrantsOnlyForAwsResources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    );
    Aspects.of(this).add(new GrantsOnlyForAwsResources(), { priority: AspectPriority.MUTATING });
  }
}

/** EventBridge writes matched events into the encrypted queues, for these rules of this account only. */
export function allowRulesToUseKey(key: kms.IKey, ruleArns: readonly string[]): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowPivotGuardRulesToQueue',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ENVELOPE_ACTIONS,
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account }, ArnEquals: { 'aws:SourceArn': [...ruleArns] } },
    }),
  );
}

/**
 * CDK's grants for Secrets Manager put `kms:CreateGrant` in the key policy. A grant is how a
 * service keeps using a key; one that is not for an AWS resource is a way for a principal to
 * hand itself lasting access, so every such statement is limited to grants for AWS resources.
 */
class GrantsOnlyForAwsResources implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof kms.CfnKey)) return;
    const policy = Stack.of(node).resolve(node.keyPolicy) as {
      Statement: { Effect: string; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> }[];
    };
    for (const statement of policy.Statement) {
      if (statement.Effect !== 'Allow' || ![statement.Action].flat().includes('kms:CreateGrant')) continue;
      statement.Condition = { ...statement.Condition, Bool: { ...statement.Condition?.Bool, 'kms:GrantIsForAWSResource': 'true' } };
    }
    node.keyPolicy = policy;
  }
}
