import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { BODY_MAX_BYTES, alertText } from '#core/respond/alert-text';
import { AlertPublisher, EventNotPublished, MAX_DETAIL_BYTES, incidentDetail } from '#adapters/alert-publisher';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { EVENT_BUS, TOPIC_ARN } from '../fixtures/lambda-events.ts';

const sns = mockClient(SNSClient);
const eventBridge = mockClient(EventBridgeClient);

let pivot: Incident;

beforeAll(async () => {
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
});

beforeEach(() => {
  sns.reset();
  eventBridge.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
});

function publisher() {
  return new AlertPublisher({ sns: new SNSClient({}), eventBridge: new EventBridgeClient({}), topicArn: TOPIC_ARN, eventBusName: EVENT_BUS });
}

describe('AlertPublisher', () => {
  it('emails the plain-language text through SNS and puts the incident on the bus', async () => {
    const change = { incident: pivot, change: 'opened' as const };
    const text = alertText(change);
    expect(await publisher().publish(change, text)).toEqual({ messageId: 'msg-1', eventId: 'evt-1' });

    const [publish] = sns.commandCalls(PublishCommand);
    expect(publish!.args[0].input).toEqual({
      TopicArn: TOPIC_ARN,
      Subject: text.subject,
      Message: text.body,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        change: { DataType: 'String', StringValue: 'opened' },
        incidentId: { DataType: 'String', StringValue: pivot.id },
      },
    });
    const [put] = eventBridge.commandCalls(PutEventsCommand);
    const entry = put!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ EventBusName: EVENT_BUS, Source: 'pivotguard', DetailType: 'Incident Opened' });
    expect(JSON.parse(entry.Detail!)).toEqual(pivot);
  });

  it('names an escalation in the detail type', async () => {
    await publisher().sendEvent({ incident: pivot, change: 'escalated', previousSeverity: 'high' });
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.DetailType).toBe('Incident Escalated');
  });

  it('keeps any subject SNS-safe, even one not made by alertText', async () => {
    await publisher().sendEmail({ incident: pivot, change: 'opened' }, { subject: `Ünïcode\nsubject ${'x'.repeat(200)}`, body: 'b' });
    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject!;
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^Unicode subject x+\.\.\.$/);
  });

  it('keeps an email SNS would refuse within its limit, even one not made by alertText', async () => {
    const body = `${'line of a very long alert\n'.repeat(50_000)}\nWHAT TO DO\n  pivotguard approve ${pivot.id}\n`;
    await publisher().sendEmail({ incident: pivot, change: 'opened' }, { subject: 's', body });
    const message = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(BODY_MAX_BYTES);
    expect(message.endsWith(`WHAT TO DO\n  pivotguard approve ${pivot.id}\n`)).toBe(true);
  });

  it('puts an incident whose signals carry megabytes on the bus within its limit', async () => {
    const megabyte = 'x'.repeat(1024 * 1024);
    const incident: Incident = { ...pivot, signals: pivot.signals.map((signal) => ({ ...signal, summary: megabyte })) };
    await publisher().sendEvent({ incident, change: 'opened' });
    const detail = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!;
    expect(Buffer.byteLength(detail)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    expect((JSON.parse(detail) as Incident).signals).toHaveLength(pivot.signals.length);
  });

  it('fails when EventBridge refuses the entry', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(publisher().sendEvent({ incident: pivot, change: 'opened' })).rejects.toBeInstanceOf(EventNotPublished);
  });
});

describe('incidentDetail', () => {
  it('is the incident JSON when it fits', () => {
    expect(incidentDetail(pivot, MAX_DETAIL_BYTES)).toBe(JSON.stringify(pivot));
  });

  it('halves the longest lists until the incident fits, and says what it cut', () => {
    const burst: Incident = {
      ...pivot,
      signals: Array.from({ length: 3000 }, (_, index) => ({
        ...pivot.signals[0]!,
        id: `sig-${index}`,
        summary: `${pivot.signals[0]!.summary} ${'é'.repeat(40)}`,
      })),
    };
    expect(Buffer.byteLength(JSON.stringify(burst))).toBeGreaterThan(MAX_DETAIL_BYTES);
    const detail = incidentDetail(burst, MAX_DETAIL_BYTES);
    expect(Buffer.byteLength(detail)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    const parsed = JSON.parse(detail) as Incident & { truncated: Record<string, number> };
    expect(parsed.truncated).toEqual({ signals: 3000 });
    expect(parsed.id).toBe(pivot.id);
    expect(parsed.signals[0]!.id).toBe('sig-0');
    expect(parsed.signals.length).toBeGreaterThan(100);
  });

  it('cuts the long texts of signals that carry megabytes, keeps every signal, and says what it cut', () => {
    const megabyte = 'é'.repeat(1024 * 1024);
    const quoting: Incident = {
      ...pivot,
      explanation: megabyte,
      signals: pivot.signals.map((signal, index) => (index < 3 ? { ...signal, summary: `${signal.summary} ${megabyte}` } : signal)),
    };
    const detail = incidentDetail(quoting, MAX_DETAIL_BYTES);
    expect(Buffer.byteLength(detail)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    const parsed = JSON.parse(detail) as Incident & { truncated: Record<string, number> };
    expect(parsed.truncated).toEqual({ explanation: 1, 'signals[].summary': 3 });
    expect(parsed.signals.map((signal) => signal.id)).toEqual(pivot.signals.map((signal) => signal.id));
    expect(parsed.signals[0]!.summary).toMatch(/… \(\d+ more characters\)$/);
    expect(parsed.signals.at(-1)).toEqual(pivot.signals.at(-1));
    expect(parsed.plan).toEqual(pivot.plan);
  });

  it('cuts texts first, then lists, when a burst of signals each carries a long summary', () => {
    const burst: Incident = {
      ...pivot,
      signals: Array.from({ length: 2000 }, (_, index) => ({ ...pivot.signals[0]!, id: `sig-${index}`, summary: 'x'.repeat(10_000) })),
    };
    const detail = incidentDetail(burst, MAX_DETAIL_BYTES);
    expect(Buffer.byteLength(detail)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    const parsed = JSON.parse(detail) as Incident & { truncated: Record<string, number> };
    expect(parsed.truncated).toEqual({ 'signals[].summary': 2000, signals: 2000 });
    expect(parsed.signals[0]!.id).toBe('sig-0');
    expect(parsed.signals.length).toBeGreaterThan(10);
  });

  it('falls back to the identifying fields when no list is to blame', () => {
    const wordy: Incident = { ...pivot, explanation: 'x'.repeat(20_000) };
    const detail = incidentDetail(wordy, 4000);
    expect(Buffer.byteLength(detail)).toBeLessThanOrEqual(4000);
    const parsed = JSON.parse(detail) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['id', 'title', 'severity', 'confidence', 'explanation', 'firstSeen', 'lastSeen', 'workload', 'truncated']);
  });
});
