import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Incident } from '#core/model/incident';
import type { IncidentChange } from '#core/store/store';
import { type AlertText, bodyWithin, subjectLine } from '#core/respond/alert-text';
import { clipText } from '#core/view/words';

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

  /** Needs sns:Publish on the topic. Any body is kept within what SNS takes, even one not made by alertText. */
  async sendEmail(change: IncidentChange, text: AlertText): Promise<{ messageId?: string }> {
    const { incident } = change;
    const result = await this.options.sns.send(
      new PublishCommand({
        TopicArn: this.options.topicArn,
        Subject: subjectLine(text.subject),
        Message: bodyWithin(text.body),
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

/** Texts longer than this are cut first: one quoted record must not push the signals out of the event. */
const DETAIL_TEXT_MAX_CHARS = 2000;
/** The identifying fields left when nothing else fits: a title, a sentence, the workload's names. */
const FALLBACK_TEXT_MAX_CHARS = 300;

/**
 * The incident as JSON in at most `maxBytes` (UTF-8). An incident too big (signals quoting
 * megabytes, a long burst of signals, a crowded node) loses, in this order, the tail of its
 * longest texts and then the tail of its longest lists, and says so in `truncated`: a list's
 * path and how long it was (`{ "signals": 4120 }`), a text's path with `[]` for list items
 * and how many such texts were cut (`{ "signals[].summary": 3 }`, each ending "… (N more
 * characters)").
 */
export function incidentDetail(incident: Incident, maxBytes: number): string {
  let json = JSON.stringify(incident);
  if (byteLength(json) <= maxBytes) return json;
  const detail = structuredClone(incident) as unknown as Record<string, unknown>;
  const truncated: Record<string, number> = {};
  clipLongTexts(detail, DETAIL_TEXT_MAX_CHARS, truncated);
  json = JSON.stringify({ ...detail, truncated });
  if (byteLength(json) <= maxBytes) return json;
  for (let round = 0; round < 200; round++) {
    const longest = longestList(detail);
    if (!longest || longest.list.length <= 1) break;
    truncated[longest.path] ??= longest.list.length;
    longest.list.length = Math.floor(longest.list.length / 2);
    json = JSON.stringify({ ...detail, truncated });
    if (byteLength(json) <= maxBytes) return json;
  }
  // Still too big (very many long lists): the identifying fields, clipped, always fit.
  const { id, severity, confidence, firstSeen, lastSeen } = incident;
  const title = clipText(incident.title, FALLBACK_TEXT_MAX_CHARS);
  const explanation = clipText(incident.explanation, 3 * FALLBACK_TEXT_MAX_CHARS);
  const workload = Object.fromEntries(
    Object.entries(incident.workload).map(([field, value]) => [field, typeof value === 'string' ? clipText(value, FALLBACK_TEXT_MAX_CHARS) : value]),
  );
  return JSON.stringify({ id, title, severity, confidence, explanation, firstSeen, lastSeen, workload, truncated: { all: 1 } });
}

/** Cuts every text longer than `maxChars` in place, counting the cuts by path. Iterative: any depth is safe. */
function clipLongTexts(root: Record<string, unknown>, maxChars: number, truncated: Record<string, number>): void {
  const pending: { holder: Record<string, unknown>; path: string }[] = [{ holder: root, path: '' }];
  while (pending.length > 0) {
    const { holder, path } = pending.pop()!;
    const isList = Array.isArray(holder);
    for (const key of Object.keys(holder)) {
      const value = holder[key];
      const at = isList ? `${path}[]` : path ? `${path}.${key}` : key;
      if (typeof value === 'string' && value.length > maxChars) {
        holder[key] = clipText(value, maxChars);
        truncated[at] = (truncated[at] ?? 0) + 1;
      } else if (value && typeof value === 'object') {
        pending.push({ holder: value as Record<string, unknown>, path: at });
      }
    }
  }
}

/** The list with the most bytes of JSON, of at least two items, first in document order on a tie. Iterative. */
function longestList(root: unknown): { path: string; list: unknown[] } | undefined {
  let best: { path: string; list: unknown[]; bytes: number } | undefined;
  const pending: { node: unknown; path: string }[] = [{ node: root, path: '' }];
  while (pending.length > 0) {
    const { node, path } = pending.pop()!;
    const children: { node: unknown; path: string }[] = [];
    if (Array.isArray(node)) {
      const bytes = byteLength(JSON.stringify(node));
      if (node.length > 1 && (!best || bytes > best.bytes)) best = { path, list: node, bytes };
      node.forEach((item, index) => children.push({ node: item, path: `${path}[${index}]` }));
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) children.push({ node: child, path: path ? `${path}.${key}` : key });
    }
    // Reversed onto the stack, so lists are met in document order.
    for (let index = children.length - 1; index >= 0; index--) pending.push(children[index]!);
  }
  return best;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
