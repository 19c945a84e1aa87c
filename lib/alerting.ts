import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

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
    for (const address of props.alertEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'pivotguard incidents: Incident Opened, Incident Escalated',
    });
  }
}
