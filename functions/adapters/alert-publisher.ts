import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Incident } from '#core/model/incident';
import type { IncidentChange } from '#core/store/store';
import { type AlertText, subjectLine } from '#core/respond/alert-text';

export interface AlertPublisherOptions {
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  topicArn: string;
  eventBusName: string;
}

export const EVENT_SOURCE = 'pivotguard';
export const DETAIL_TYPE: Record<IncidentChange['change'], string> = { opened: 'Incident Opened', escalated: 'Incident Escalated' };

/**
 * EventBridge counts an entry's Source, DetailType, Detail and Time against 256 KB; the detail
 * keeps a margin for the rest.
 */
export const MAX_DETAIL_BYTES = 256 * 1024 - 2048;

/** PutEvents accepted the call but not the entry. */
export class EventNotPublished extends Error {
  constructor(
    readonly errorCode: string | undefined,
    readonly errorMessage: string | undefined,
  ) {
    super(`EventBridge refused the incident event: ${errorCode ?? 'unknown error'} ${errorMessage ?? ''}`.trim());
    this.name = 'EventNotPublished';
  }
}

/**
 * One alert, two ways out: an email-friendly SNS message for people, and an EventBridge event
 * with the incident for machines (the containment workflow, ticketing, chat). Each is its own
 * call so that a caller can make each one idempotent on its own.
 */
export class AlertPublisher {
  constructor(private readonly options: AlertPublisherOptions) {}

  async publish(change: IncidentChange, text: AlertText): Promise<{ messageId?: string; eventId?: string }> {
    const email = await this.sendEmail(change, text);
    const event = await this.sendEvent(change);
    return { ...email, ...event };
  }

  /** Needs sns:Publish on the topic. */
  async sendEmail(change: IncidentChange, text: AlertText): Promise<{ messageId?: string }> {
    const { incident } = change;
    const result = await this.options.sns.send(
      new PublishCommand({
        TopicArn: this.options.topicArn,
        Subject: subjectLine(text.subject),
        Message: text.body,
        // Subscription filter policies can route by these, e.g. only critical to a pager.
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: incident.severity },
          change: { DataType: 'String', StringValue: change.change },
          incidentId: { DataType: 'String', StringValue: incident.id },
        },
      }),
    );
    return { messageId: result.MessageId };
  }

  /** Needs events:PutEvents on the bus. */
  async sendEvent(change: IncidentChange): Promise<{ eventId?: string }> {
    const result = await this.options.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.options.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: DETAIL_TYPE[change.change],
            Detail: incidentDetail(change.incident, MAX_DETAIL_BYTES),
            Resources: [],
          },
        ],
      }),
    );
    const entry = result.Entries?.[0];
    if ((result.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode) throw new EventNotPublished(entry?.ErrorCode, entry?.ErrorMessage);
    return { eventId: entry?.EventId };
  }
}

/**
 * The incident as JSON in at most `maxBytes` (UTF-8). An incident too big (a long burst of
 * signals, a crowded node) loses the tail of its longest lists first, and says so in
 * `truncated` ({ "signals": 4120 } = the full list had 4120 entries).
 */
export function incidentDetail(incident: Incident, maxBytes: number): string {
  let json = JSON.stringify(incident);
  if (byteLength(json) <= maxBytes) return json;
  const detail = structuredClone(incident) as unknown as Record<string, unknown>;
  const truncated: Record<string, number> = {};
  for (let round = 0; round < 200; round++) {
    const longest = longestList(detail, '');
    if (!longest || longest.list.length <= 1) break;
    truncated[longest.path] ??= longest.list.length;
    longest.list.length = Math.floor(longest.list.length / 2);
    json = JSON.stringify({ ...detail, truncated });
    if (byteLength(json) <= maxBytes) return json;
  }
  // Still too big (a huge single string): the identifying fields, clipped, always fit.
  const { id, severity, confidence, firstSeen, lastSeen, workload } = incident;
  const title = clip(incident.title, 300);
  const explanation = clip(incident.explanation, 1000);
  return JSON.stringify({ id, title, severity, confidence, explanation, firstSeen, lastSeen, workload, truncated: { all: 1 } });
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

function longestList(value: unknown, path: string): { path: string; list: unknown[] } | undefined {
  let best: { path: string; list: unknown[]; bytes: number } | undefined;
  const visit = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      const bytes = byteLength(JSON.stringify(node));
      if (node.length > 1 && (!best || bytes > best.bytes)) best = { path: at, list: node, bytes };
      node.forEach((item, index) => visit(item, `${at}[${index}]`));
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) visit(child, at ? `${at}.${key}` : key);
    }
  };
  visit(value, path);
  return best;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
