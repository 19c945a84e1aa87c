import { type SNSClient, paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import { UNKNOWN_RECIPIENTS } from '#core/respond/response';

const EMAIL_PROTOCOLS = new Set(['email', 'email-json']);

/**
 * Who a message published to the alert topic reaches: the email address of every confirmed email
 * subscription, and every other confirmed subscriber by its kind only (an https endpoint's URL
 * may hold a secret). A subscription still pending confirmation receives nothing, so it is left
 * out. Never throws: a lookup that fails answers UNKNOWN_RECIPIENTS, and sending goes on.
 */
export async function topicRecipients(sns: SNSClient, topicArn: string): Promise<string[]> {
  try {
    const recipients = new Set<string>();
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
      for (const { SubscriptionArn, Protocol, Endpoint } of page.Subscriptions ?? []) {
        // Pending subscriptions carry `PendingConfirmation` (deleted ones `Deleted`) instead of an ARN.
        if (!SubscriptionArn?.startsWith('arn:') || !Protocol) continue;
        recipients.add(EMAIL_PROTOCOLS.has(Protocol) && Endpoint ? Endpoint : `${Protocol} subscriber`);
      }
    }
    return [...recipients];
  } catch {
    return [UNKNOWN_RECIPIENTS];
  }
}
