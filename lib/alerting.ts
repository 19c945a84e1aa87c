import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { FORWARDER_ROLE_PREFIX } from './region-forwarder.ts';

export interface AlertingProps {
  readonly key: kms.IKey;
  /** Each address gets an email subscription (it must confirm it once). */
  readonly alertEmails: readonly string[];
  readonly eventBusName: string;
}

/**
 * Where incidents leave pivotguard: the alert topic people subscribe to, and the custom event
 * bus on which the analyzer publishes `Incident Opened` / `Incident Escalated` for automation.
 */
export class Alerting extends Construct {
  readonly topic: sns.Topic;
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'pivotguard alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: without an
    // explicit Allow, CloudWatch alarms (which publish as a service principal) could page nobody.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: alarmSourceConditions(this),
      }),
    );
    for (const address of props.alertEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'pivotguard incidents (Incident Opened, Incident Escalated) and events forwarded from other regions',
    });
    // Forwarders in other regions put CloudTrail and GuardDuty events here with their named roles.
    // Within the account their IAM policies already decide; the bus policy is what another
    // account would need, and it names only this account's forwarder roles.
    const stack = Stack.of(this);
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AcceptRegionForwarders',
        principals: [new iam.AccountPrincipal(stack.account)],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          ArnLike: { 'aws:PrincipalArn': stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${FORWARDER_ROLE_PREFIX}*` }) },
        },
      }),
    );
  }
}

/** CloudWatch acting for an alarm of this account and region, not for anyone else's (confused deputy). */
export function alarmSourceConditions(scope: Construct): Record<string, Record<string, string>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
  };
}
