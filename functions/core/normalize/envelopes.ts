import { isAccountId } from '#core/model/arn';
import { clusterFromLogGroup } from './audit.ts';
import { cloudTrailRecordFromLakeRow } from './cloudtrail-lake.ts';
import { INSPECTOR_FINDING_DETAIL_TYPE } from './inspector.ts';
import { decodeLogsData } from './logs-data.ts';
import { RecordRejected } from './rejection.ts';
import { isSafeKey } from './safe-keys.ts';

type Json = Record<string, unknown>;

/** Where raw audit events come from, as far as their envelope says: the cluster, and the account whose log group it is. */
export interface AuditOrigin {
  cluster?: string;
  accountId?: string;
}

/** What an envelope holds: the records inside it, and what it says about them. */
export interface Envelope {
  /** Appended to the envelope's place for each item, e.g. ".Records" gives "document.Records[3]". */
  label: string;
  items: readonly unknown[];
  /** One record wrapped in a field (a log event's message): it keeps the envelope's place. */
  single?: boolean;
  /** Where raw audit events inside come from: their cluster and the account that logged them. */
  origin: AuditOrigin;
  /** A cluster the envelope itself names (an EKS audit log group). */
  namesCluster?: string;
  /** CloudWatch Logs CONTROL_MESSAGE: a reachability check, not records. */
  control?: boolean;
}

/**
 * An item of an envelope that is read only when its turn comes (a log message parsed as JSON, a
 * CloudTrail Lake row put back together), so that when reading fails, only that item is rejected.
 */
export class LazyItem {
  constructor(private readonly reader: () => unknown) {}

  read(): unknown {
    return this.reader();
  }
}

/** EventBridge detail types whose detail is one record pivotguard reads (CloudTrail's API calls, sign-ins, service events, Insights). */
const CLOUDTRAIL_DETAIL = / via CloudTrail$/;

/**
 * The envelope `record` is, if it is one: how AWS delivers (subscriptions, EventBridge, log files)
 * and how people export (the CLI's logs, CloudTrail and Logs Insights output, Security Hub).
 */
export function unwrapEnvelope(record: Json, origin: AuditOrigin): Envelope | undefined {
  const awslogs = record.awslogs as { data?: unknown } | undefined;
  if (awslogs && typeof awslogs === 'object') return unwrapEnvelope(decodeLogsData(awslogs.data) as Json, origin);
  if (typeof record.messageType === 'string' && 'logEvents' in record) return unwrapLogsMessage(record, origin);
  if (record.kind === 'EventList' && Array.isArray(record.items)) return { label: '.items', items: record.items, origin };
  if (Array.isArray(record.Records)) return { label: '.Records', items: record.Records, origin };
  // GuardDuty's get-findings and Security Hub's get-findings both list under Findings.
  if (Array.isArray(record.Findings)) return { label: '.Findings', items: record.Findings, origin };
  // `aws inspector2 list-findings` lists under findings.
  if (Array.isArray(record.findings) && !('detail' in record)) return { label: '.findings', items: record.findings, origin };
  const detailType = record['detail-type'];
  if (typeof detailType === 'string' && 'detail' in record) return unwrapEventBridge(detailType, record.detail, origin);
  if (Array.isArray(record.events) && isLogEventsPage(record)) return { label: '.events', items: record.events, origin };
  if (Array.isArray(record.Events)) return { label: '.Events', items: record.Events, origin };
  if (Array.isArray(record.QueryResultRows)) {
    return { label: '.QueryResultRows', items: record.QueryResultRows.map((row) => new LazyItem(() => cloudTrailRecordFromLakeRow(row))), origin };
  }
  if (Array.isArray(record.results) && typeof record.status === 'string') {
    return { label: '.results', items: record.results.map((row) => new LazyItem(() => insightsRowFromFields(row))), origin };
  }
  return unwrapField(record, origin);
}

/** A record carried as JSON text in one field: a log event's message, lookup-events' CloudTrailEvent, a Logs Insights row's @message. */
function unwrapField(record: Json, origin: AuditOrigin): Envelope | undefined {
  if (isLogEvent(record)) {
    return { label: '', single: true, items: [new LazyItem(() => parseMessage('log event message', record.message as string))], origin };
  }
  if (typeof record.CloudTrailEvent === 'string') {
    const text = record.CloudTrailEvent;
    return { label: '', single: true, items: [new LazyItem(() => parseMessage('lookup-events CloudTrailEvent', text))], origin };
  }
  if ('EventId' in record && 'EventName' in record) {
    throw new RecordRejected(
      'aws cloudtrail lookup-events output without CloudTrailEvent: export it without --query so each event keeps its record',
      'unsupported-format',
    );
  }
  if (typeof record['@message'] === 'string') {
    const text = record['@message'];
    const named = typeof record['@log'] === 'string' ? insightsLogOrigin(record['@log']) : undefined;
    return {
      label: '',
      single: true,
      items: [new LazyItem(() => parseMessage('Logs Insights @message', text))],
      origin: named ?? origin,
      namesCluster: named?.cluster,
    };
  }
  if (hasOwnKeyStartingWithAt(record)) {
    throw new RecordRejected(
      'CloudWatch Logs Insights result without @message: add "fields @timestamp, @message, @log" to the query and export again',
      'unsupported-format',
    );
  }
  return undefined;
}

/** Object.keys(record).some((key) => key.startsWith('@')) without building the list: every record that is no envelope is asked. */
function hasOwnKeyStartingWithAt(record: Json): boolean {
  for (const key in record) if (key.charCodeAt(0) === 64 /* @ */ && Object.hasOwn(record, key)) return true;
  return false;
}

function unwrapEventBridge(detailType: string, detail: unknown, origin: AuditOrigin): Envelope {
  if (CLOUDTRAIL_DETAIL.test(detailType) || detailType === 'GuardDuty Finding' || detailType === INSPECTOR_FINDING_DETAIL_TYPE) {
    return { label: '.detail', items: [detail], origin };
  }
  const findings = (detail as { findings?: unknown } | null)?.findings;
  if (detailType === 'Security Hub Findings - Imported' && Array.isArray(findings)) return { label: '.detail.findings', items: findings, origin };
  if (SCAN_COUNT_DETAIL.has(detailType)) throw scanCountsOnly(detail);
  throw new RecordRejected(`EventBridge event detail-type "${detailType}" is not one pivotguard reads`, 'unsupported-format');
}

/** ECR basic scanning's and Inspector's scan-complete events: severity counts for a digest, no vulnerability. */
const SCAN_COUNT_DETAIL = new Set(['ECR Image Scan', 'Inspector2 Scan']);

function scanCountsOnly(detail: unknown): RecordRejected {
  const fields = (detail ?? {}) as Json;
  const repository = typeof fields['repository-name'] === 'string' ? fields['repository-name'].replace(/^arn:[^/]*\//, '') : 'REPOSITORY';
  const digest = typeof fields['image-digest'] === 'string' ? fields['image-digest'] : 'DIGEST';
  return new RecordRejected(
    `image scan event with severity counts only: export aws ecr describe-image-scan-findings --repository-name ${repository} --image-id imageDigest=${digest}`,
    'unsupported-format',
  );
}

/** `aws logs filter-log-events` and `get-log-events` output: a page of log events with its tokens. */
function isLogEventsPage(record: Json): boolean {
  const events = record.events as unknown[];
  return 'searchedLogStreams' in record || 'nextForwardToken' in record || 'nextBackwardToken' in record || isLogEvent(events[0]);
}

function isLogEvent(value: unknown): value is { message: string; timestamp: number } {
  const event = value as { message?: unknown; timestamp?: unknown } | null;
  return typeof event?.message === 'string' && typeof event.timestamp === 'number';
}

/** `aws logs get-query-results` prints each row as [{field, value}, …]. */
function insightsRowFromFields(row: unknown): Json {
  if (!Array.isArray(row)) throw new RecordRejected('Logs Insights result row: expected a list of fields', 'unsupported-format');
  const fields: Json = {};
  for (const cell of row as { field?: unknown; value?: unknown }[]) {
    if (typeof cell?.field === 'string' && isSafeKey(cell.field)) fields[cell.field] = cell.value;
  }
  return fields;
}

function parseMessage(what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RecordRejected(`${what} is not JSON: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`, 'not-json');
  }
}

function unwrapLogsMessage(message: Json, origin: AuditOrigin): Envelope {
  if (message.messageType === 'CONTROL_MESSAGE') return { label: '', items: [], origin, control: true };
  if (message.messageType !== 'DATA_MESSAGE') {
    throw new RecordRejected(`CloudWatch Logs messageType "${String(message.messageType)}" is unknown`, 'unsupported-format');
  }
  const named = typeof message.logGroup === 'string' ? clusterFromLogGroup(message.logGroup) : undefined;
  const logEvents = Array.isArray(message.logEvents) ? message.logEvents : [];
  // `owner` is the account of the log group: in an organization, which account's cluster this is.
  const accountId = isAccountId(message.owner) ? message.owner : undefined;
  return { label: '.logEvents', items: logEvents, origin: named ? { cluster: named, accountId } : origin, namesCluster: named };
}

/** Logs Insights names a row's log group `ACCOUNT:/aws/eks/NAME/cluster`. */
function insightsLogOrigin(log: string): AuditOrigin | undefined {
  const separator = log.lastIndexOf(':');
  const cluster = clusterFromLogGroup(log.slice(separator + 1));
  if (!cluster) return undefined;
  const accountId = log.slice(0, separator);
  return isAccountId(accountId) ? { cluster, accountId } : { cluster };
}
