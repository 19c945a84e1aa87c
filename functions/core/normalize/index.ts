import { gunzipSync } from 'node:zlib';
import type { RejectedRecord, SecurityEvent } from '#core/model/event';
import { clusterFromLogGroup, isAuditEvent, normalizeAuditEvent } from './audit.ts';
import { isCloudTrailRecord, normalizeCloudTrailRecord } from './cloudtrail.ts';
import { isGuardDutyFinding, normalizeGuardDutyFinding } from './guardduty.ts';
import { RecordRejected } from './rejection.ts';


export interface NormalizeContext {
  file: string;
  /** Used for raw audit events that arrive without their log group. */
  defaultCluster?: string;
}

export interface NormalizeOutput {
  events: SecurityEvent[];
  rejected: RejectedRecord[];
  /** CloudWatch Logs CONTROL_MESSAGE payloads: reachability checks, not records. */
  controlMessages: number;
}

export function emptyOutput(): NormalizeOutput {
  return { events: [], rejected: [], controlMessages: 0 };
}

/** A place in a file: a line number, or a path such as "document.Records[3]". */
export type Locator = number | string;

export function describeLocator(where: Locator): string {
  return typeof where === 'number' ? `line ${where}` : where;
}

/**
 * Normalizes one parsed JSON value, whatever envelope it came in: each record inside is
 * detected on its own, so one JSON Lines file may mix every source. `where` names the value's
 * place in its file for the rejected list; a line number is only spelled out when needed.
 */
export function normalizeValue(value: unknown, where: Locator, context: NormalizeContext, out: NormalizeOutput): void {
  normalizeWithin(value, where, context.defaultCluster, context, out);
}

function normalizeWithin(
  value: unknown,
  where: Locator,
  cluster: string | undefined,
  context: NormalizeContext,
  out: NormalizeOutput,
): void {
  try {
    if (Array.isArray(value)) {
      value.forEach((item, index) => normalizeWithin(item, `${describeLocator(where)}[${index}]`, cluster, context, out));
      return;
    }
    if (value instanceof UnparsedLogEvent) throw new RecordRejected(`log event message is not JSON: ${value.excerpt}`);
    if (value === null || typeof value !== 'object') {
      throw new RecordRejected(`expected a JSON object, got ${value === null ? 'null' : typeof value}`);
    }
    const record = value as Record<string, unknown>;
    const nested = unwrapEnvelope(record, cluster);
    if (nested) {
      if (nested.control) {
        out.controlMessages++;
        return;
      }
      nested.items.forEach((item, index) =>
        normalizeWithin(item, `${describeLocator(where)}${nested.label}[${index}]`, nested.cluster, context, out),
      );
      return;
    }
    out.events.push(normalizeRecord(record, cluster));
  } catch (error) {
    if (!(error instanceof RecordRejected)) throw error;
    out.rejected.push({ file: context.file, record: describeLocator(where), reason: error.reason });
  }
}

function normalizeRecord(record: Record<string, unknown>, cluster: string | undefined): SecurityEvent {
  if (isAuditEvent(record)) return normalizeAuditEvent(record, cluster);
  if (isCloudTrailRecord(record)) return normalizeCloudTrailRecord(record);
  if (isGuardDutyFinding(record)) return normalizeGuardDutyFinding(record);
  const keys = Object.keys(record).slice(0, 6).join(', ');
  throw new RecordRejected(
    `unrecognized record: not an EKS audit event, CloudTrail record or GuardDuty finding (keys: ${keys || 'none'})`,
  );
}

interface Envelope {
  label: string;
  items: unknown[];
  cluster: string | undefined;
  control?: boolean;
}

function unwrapEnvelope(record: Record<string, unknown>, cluster: string | undefined): Envelope | undefined {
  const awslogs = record.awslogs as { data?: unknown } | undefined;
  if (awslogs && typeof awslogs === 'object') {
    if (typeof awslogs.data !== 'string') throw new RecordRejected('awslogs.data: expected a base64 string');
    return unwrapEnvelope(decodeLogsData(awslogs.data), cluster);
  }
  if (typeof record.messageType === 'string' && 'logEvents' in record) return unwrapLogsMessage(record, cluster);
  if (record.kind === 'EventList' && Array.isArray(record.items)) {
    return { label: '.items', items: record.items, cluster };
  }
  if (Array.isArray(record.Records)) return { label: '.Records', items: record.Records, cluster };
  if (Array.isArray(record.Findings)) return { label: '.Findings', items: record.Findings, cluster };
  const detailType = record['detail-type'];
  if (typeof detailType === 'string' && 'detail' in record) {
    if (detailType === 'AWS API Call via CloudTrail' || detailType === 'GuardDuty Finding') {
      return { label: '.detail', items: [record.detail], cluster };
    }
    throw new RecordRejected(`EventBridge event detail-type "${detailType}" is not one pivotguard reads`);
  }
  return undefined;
}

function decodeLogsData(data: string): Record<string, unknown> {
  let text: string;
  try {
    text = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  } catch {
    throw new RecordRejected('awslogs.data: not base64-encoded gzip');
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new RecordRejected('awslogs.data: decompressed payload is not JSON');
  }
}

function unwrapLogsMessage(message: Record<string, unknown>, cluster: string | undefined): Envelope {
  if (message.messageType === 'CONTROL_MESSAGE') return { label: '', items: [], cluster, control: true };
  if (message.messageType !== 'DATA_MESSAGE') {
    throw new RecordRejected(`CloudWatch Logs messageType "${String(message.messageType)}" is unknown`);
  }
  const logGroup = typeof message.logGroup === 'string' ? message.logGroup : '';
  const logEvents = Array.isArray(message.logEvents) ? message.logEvents : [];
  const items = logEvents.map((logEvent: { message?: unknown }) => {
    if (typeof logEvent?.message !== 'string') return logEvent;
    try {
      return JSON.parse(logEvent.message) as unknown;
    } catch {
      return new UnparsedLogEvent(logEvent.message);
    }
  });
  return { label: '.logEvents', items, cluster: clusterFromLogGroup(logGroup) ?? cluster };
}

/** Stands in for a log event that is not JSON, so its rejection names its place. */
class UnparsedLogEvent {
  readonly excerpt: string;
  constructor(message: string) {
    this.excerpt = message.length > 60 ? `${message.slice(0, 60)}…` : message;
  }
}
