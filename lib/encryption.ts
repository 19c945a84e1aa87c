import { ArnFormat, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The one customer managed key behind everything pivotguard stores: tables, queues, the alert
 * topic and the function logs. The key policy names the AWS services that encrypt on
 * pivotguard's behalf; pivotguard's own roles get their KMS permissions from grants in IAM.
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

    // CloudWatch alarms publish to the encrypted alert topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishAlerts',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
  }
}
