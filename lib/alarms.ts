import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Older than this, a queued record means the analyzer has stopped keeping up. */
const MAX_QUEUE_AGE = Duration.minutes(15);

export interface PipelineAlarmsProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly topic: sns.ITopic;
  /** EventBridge rules that deliver to the queue; each alarm is named after its rule's construct id. */
  readonly rules: readonly events.IRule[];
}

/**
 * The pipeline watching itself: a security tool that silently stops reading is worse than none,
 * so a parked record or a stalled queue alerts the same people incidents do.
 */
export class PipelineAlarms extends Construct {
  readonly deadLetters: cloudwatch.Alarm;
  readonly queueBacklog: cloudwatch.Alarm;
  /** One per rule: EventBridge matched an event but could not deliver it to the queue. */
  readonly deliveryFailures: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'pivotguard: records could not be processed and wait in the dead-letter queue',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.queueBacklog = new cloudwatch.Alarm(this, 'QueueBacklog', {
      alarmDescription: `pivotguard: the oldest queued record is older than ${MAX_QUEUE_AGE.toMinutes()} minutes; the analyzer is not keeping up`,
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: MAX_QUEUE_AGE.toSeconds(),
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deliveryFailures = props.rules.map(
      (rule) =>
        new cloudwatch.Alarm(this, `${rule.node.id}DeliveryFailures`, {
          alarmDescription: `pivotguard: EventBridge could not deliver events matched by ${rule.node.id} to the queue (check the queue and key policies, and the dead-letter queue)`,
          metric: new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName: 'FailedInvocations',
            dimensionsMap: { RuleName: rule.ruleName },
            period: Duration.minutes(5),
            statistic: 'Sum',
          }),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 0,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    const notify = new actions.SnsAction(props.topic);
    for (const alarm of [this.deadLetters, this.queueBacklog, ...this.deliveryFailures]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }
}
