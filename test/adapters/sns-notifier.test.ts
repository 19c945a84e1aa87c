import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { snsNotifier } from '#adapters/containment/aws-wiring';
import type { Incident } from '#core/model/incident';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:pivotguard-alerts';
const incident = { id: 'inc-1' } as Incident;

async function published(subject: string, message: string) {
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  await snsNotifier(new SNSClient({}), TOPIC)(incident, subject, message);
  const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
  sns.restore();
  return { subject: input.Subject!, message: input.Message! };
}

// SNS refuses a subject with a control character or past 100 characters, and the workflow's
// emails quote attacker-chosen names (pods, sessions, commands).
describe('the workflow’s emails', () => {
  it('have a subject SNS accepts whatever the incident title holds', async () => {
    const { subject } = await published(`Approval needed: pod \u001b]0;owned\u0007web\u202e-1\nX-Injected: yes ${'x'.repeat(300)}`, 'body');
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).not.toContain('owned');
  });

  it('carry no escape sequence or bidirectional override in the body, and keep its lines', async () => {
    const { message } = await published('s', `line one \u001b[2J\u001b[31mred\u001b[0m\npod web\u202e-1\r\nthird`);
    expect(message.split('\n')).toHaveLength(3);
    expect(message).not.toMatch(/[\u001b\u202e\r]/);
  });

  it('stay within SNS’s 256 KB', async () => {
    const { message } = await published('s', 'é'.repeat(300_000));
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(256 * 1024);
  });
});
