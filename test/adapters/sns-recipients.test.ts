import { AuthorizationErrorException, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { snsNotifier } from '#adapters/containment/aws-wiring';
import { topicRecipients } from '#adapters/containment/sns-recipients';
import type { Incident } from '#core/model/incident';
import { UNKNOWN_RECIPIENTS } from '#core/respond/response';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:pivotguard-alerts';
const incident = { id: 'inc-1' } as Incident;
const sns = mockClient(SNSClient);

function subscription(protocol: string, endpoint: string, confirmed = true): Subscription {
  return {
    SubscriptionArn: confirmed ? `${TOPIC}:${endpoint.length}-${protocol}` : 'PendingConfirmation',
    Owner: '111122223333',
    Protocol: protocol,
    Endpoint: endpoint,
    TopicArn: TOPIC,
  };
}

beforeEach(() => {
  sns.reset();
});

describe('topicRecipients', () => {
  it('reads every page and answers the confirmed email addresses, pending confirmations left out', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined })
      .resolves({ Subscriptions: [subscription('email', 'ops@example.com'), subscription('email', 'new-hire@example.com', false)], NextToken: 'page-2' })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'page-2' })
      .resolves({ Subscriptions: [subscription('email-json', 'oncall@example.com'), subscription('email', 'ops@example.com')] });
    expect(await topicRecipients(new SNSClient({}), TOPIC)).toEqual(['ops@example.com', 'oncall@example.com']);
    // The paginator reuses one input object, so the calls are counted rather than read back.
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(2);
  });

  it('names other confirmed subscribers by kind only: a webhook URL may hold its secret', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        subscription('https', 'https://hooks.example.com/T000/B000/s3cr3t'),
        subscription('sqs', 'arn:aws:sqs:eu-west-1:111122223333:alerts'),
        subscription('sms', '+15550100', false),
      ],
    });
    expect(await topicRecipients(new SNSClient({}), TOPIC)).toEqual(['https subscriber', 'sqs subscriber']);
  });

  it('answers unknown recipients when the topic cannot be read', async () => {
    sns.on(ListSubscriptionsByTopicCommand).rejects(new AuthorizationErrorException({ message: 'not authorized', $metadata: {} }));
    expect(await topicRecipients(new SNSClient({}), TOPIC)).toEqual([UNKNOWN_RECIPIENTS]);
  });

  it('answers no recipient for a topic nobody has confirmed', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [subscription('email', 'ops@example.com', false)] });
    expect(await topicRecipients(new SNSClient({}), TOPIC)).toEqual([]);
  });
});

describe('snsNotifier', () => {
  it('publishes and answers who the topic reaches', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [subscription('email', 'ops@example.com')] });
    expect(await snsNotifier(new SNSClient({}), TOPIC)(incident, 'Approval needed', 'body')).toEqual(['ops@example.com']);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('sends the email when the recipients cannot be read, and says they are unknown', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    sns.on(ListSubscriptionsByTopicCommand).rejects(new AuthorizationErrorException({ message: 'not authorized', $metadata: {} }));
    expect(await snsNotifier(new SNSClient({}), TOPIC)(incident, 'Approval needed', 'body')).toEqual([UNKNOWN_RECIPIENTS]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('does not wait for the lookup to send the email', async () => {
    let answer: (output: { Subscriptions: Subscription[] }) => void = () => {};
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    sns.on(ListSubscriptionsByTopicCommand).callsFake(() => new Promise((resolve) => (answer = resolve)));
    const sent = snsNotifier(new SNSClient({}), TOPIC)(incident, 'Approval needed', 'body');
    await vi.waitFor(() => expect(sns.commandCalls(PublishCommand)).toHaveLength(1));
    answer({ Subscriptions: [subscription('email', 'ops@example.com')] });
    expect(await sent).toEqual(['ops@example.com']);
  });

  it('fails when the email itself cannot be sent', async () => {
    sns.on(PublishCommand).rejects(new AuthorizationErrorException({ message: 'not authorized to publish', $metadata: {} }));
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    await expect(snsNotifier(new SNSClient({}), TOPIC)(incident, 'Approval needed', 'body')).rejects.toThrow('not authorized to publish');
  });
});
