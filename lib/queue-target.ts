import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** EventBridge keeps retrying a failed delivery this long before it parks the event. */
const MAX_EVENT_AGE = Duration.hours(24);
const MAX_RETRY_ATTEMPTS = 185;

/**
 * An SQS queue as a rule target, with a dead-letter queue and an explicit retry policy, and
 * without the grants CDK's SqsQueue target would add: those let any rule of the account send to
 * a KMS-encrypted queue. The queue, dead-letter queue and key policies that name pivotguard's
 * rules one by one are written by Ingest, which knows them all.
 */
export class QueueTarget implements events.IRuleTarget {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  bind(): events.RuleTargetConfig {
    return {
      arn: this.queue.queueArn,
      targetResource: this.queue,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: { maximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds(), maximumRetryAttempts: MAX_RETRY_ATTEMPTS },
    };
  }
}
