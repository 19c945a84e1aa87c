import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

/** SQS message attribute values are kept short; the body carries the record itself. */
const MAX_ATTRIBUTE_CHARS = 1000;

/**
 * The analyzer's dead-letter queue, where a person or a redrive finds what it set aside: messages
 * whose records the core rejected, and alerts that could not be sent. Needs sqs:SendMessage on it.
 */
export class DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Attributes are made safe for SQS (control characters replaced, long values clipped). */
  async send(body: string, attributes: Record<string, string>): Promise<void> {
    const messageAttributes = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, textAttribute(value)]));
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body, MessageAttributes: messageAttributes }));
  }
}

/** SQS refuses control characters outside tab, CR and LF in attribute values. */
function textAttribute(value: string) {
  const clean = value.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/gu, '?');
  return { DataType: 'String', StringValue: clean.length > MAX_ATTRIBUTE_CHARS ? `${clean.slice(0, MAX_ATTRIBUTE_CHARS - 1)}…` : clean };
}
