import type { AuditEvent, RejectedRecord, RejectionCode, SecurityEvent } from '#core/model/event';
import { MAX_JSON_DEPTH } from '#core/model/json';
import { isAuditEvent, normalizeAuditEvent } from './audit.ts';
import { isCloudTrailRecord, normalizeCloudTrailRecord } from './cloudtrail.ts';
import { isEcrImageScanFindings, normalizeEcrImageScan } from './ecr-scan.ts';
import { type ClusterNames, UNNAMED_CLUSTER } from './cluster-names.ts';
import { type AuditOrigin, LazyItem, unwrapEnvelope } from './envelopes.ts';
import { isGuardDutyFinding, normalizeGuardDutyFinding } from './guardduty.ts';
import { isInspectorFinding, normalizeInspectorFinding } from './inspector.ts';
import { RecordRejected, boundedReason, rejectionOf } from './rejection.ts';
import { guardDutyFindingFromSecurityHub, isSecurityHubFinding } from './security-hub.ts';

export interface NormalizeContext {
  file: string;
  /** Used for raw audit events that arrive without their log group. */
  defaultCluster?: string;
  /**
   * Raw audit events that arrive without their log group and with no default cluster go to
   * `unclustered`, read under UNNAMED_CLUSTER, instead of being rejected: the caller names
   * their cluster once the whole input is read.
   */
  deferUnclusteredAudit?: boolean;
  /** Collects the cluster names the records mention (log groups, GuardDuty findings, EKS API calls). */
  clusterNames?: ClusterNames;
  /** Remembers each event's file and place, for reporting on it after it was normalized. */
  origins?: WeakMap<SecurityEvent, RecordOrigin>;
  /** The clock (epoch ms) records may not be dated far ahead of; now when absent. */
  now?: number;
}

/** Where a normalized event came from. */
export interface RecordOrigin {
  file: string;
  record: string;
}

export interface NormalizeOutput {
  events: SecurityEvent[];
  rejected: RejectedRecord[];
  /** CloudWatch Logs CONTROL_MESSAGE payloads: reachability checks, not records. */
  controlMessages: number;
  /** CloudTrail Insights records: summaries of unusual call rates, not calls; counted and skipped. */
  insightsSkipped: number;
  /** Raw audit events read under UNNAMED_CLUSTER until their cluster is known (with deferUnclusteredAudit). */
  unclustered: AuditEvent[];
}

export function emptyOutput(): NormalizeOutput {
  return { events: [], rejected: [], controlMessages: 0, insightsSkipped: 0, unclustered: [] };
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
 * It never throws: whatever goes wrong with a record is that record's rejection.
 */
export function normalizeValue(value: unknown, where: Locator, context: NormalizeContext, out: NormalizeOutput): void {
  normalizeWithin(value, where, { cluster: context.defaultCluster }, 1, context, out);
}

function normalizeWithin(value: unknown, where: Locator, origin: AuditOrigin, depth: number, context: NormalizeContext, out: NormalizeOutput): void {
  try {
    // Each level is one call: the bound keeps a hostile nesting of arrays or envelopes off the stack.
    if (depth > MAX_JSON_DEPTH) throw new RecordRejected(`arrays or envelopes nested more than ${MAX_JSON_DEPTH} levels deep`, 'too-deep');
    const item = value instanceof LazyItem ? value.read() : value;
    if (Array.isArray(item)) {
      item.forEach((inner, index) => normalizeWithin(inner, `${describeLocator(where)}[${index}]`, origin, depth + 1, context, out));
      return;
    }
    if (item === null || typeof item !== 'object') {
      throw new RecordRejected(`expected a JSON object, got ${item === null ? 'null' : typeof item}`, 'unrecognized');
    }
    const record = item as Record<string, unknown>;
    const envelope = unwrapEnvelope(record, origin);
    if (envelope) {
      if (envelope.namesCluster) context.clusterNames?.note(envelope.namesCluster, 'log group', envelope.origin.accountId);
      if (envelope.control) out.controlMessages++;
      envelope.items.forEach((inner, index) => {
        const place = envelope.single ? where : `${describeLocator(where)}${envelope.label}[${index}]`;
        normalizeWithin(inner, place, envelope.origin, depth + 1, context, out);
      });
      return;
    }
    if (isCloudTrailInsight(record)) {
      out.insightsSkipped++;
      return;
    }
    normalizeRecord(record, where, origin, context, out);
  } catch (error) {
    out.rejected.push({ file: context.file, record: describeLocator(where), ...rejectionWhileNormalizing(error) });
  }
}

function normalizeRecord(record: Record<string, unknown>, where: Locator, origin: AuditOrigin, context: NormalizeContext, out: NormalizeOutput): void {
  const now = context.now;
  if (isAuditEvent(record)) {
    if (!origin.cluster && context.deferUnclusteredAudit) {
      keep(normalizeAuditEvent(record, UNNAMED_CLUSTER, now), where, context, out.unclustered);
      return;
    }
    const event = normalizeAuditEvent(record, origin.cluster, now);
    if (origin.accountId) event.accountId = origin.accountId;
    keep(event, where, context, out.events);
    return;
  }
  if (isCloudTrailRecord(record)) {
    keep(normalizeCloudTrailRecord(record, now), where, context, out.events);
    return;
  }
  if (isGuardDutyFinding(record)) {
    keep(normalizeGuardDutyFinding(record, now), where, context, out.events);
    return;
  }
  if (isSecurityHubFinding(record)) {
    // The evidence stays the finding as Security Hub holds it.
    keep({ ...normalizeGuardDutyFinding(guardDutyFindingFromSecurityHub(record), now), raw: record }, where, context, out.events);
    return;
  }
  if (isInspectorFinding(record)) {
    keep(normalizeInspectorFinding(record, now), where, context, out.events);
    return;
  }
  if (isEcrImageScanFindings(record)) {
    keep(normalizeEcrImageScan(record, now), where, context, out.events);
    return;
  }
  const keys = Object.keys(record).slice(0, 6).join(', ');
  throw new RecordRejected(
    `unrecognized record: not an EKS audit event, CloudTrail record, GuardDuty finding or image scan (keys: ${keys || 'none'})`,
    'unrecognized',
  );
}

function keep<Event extends SecurityEvent>(event: Event, where: Locator, context: NormalizeContext, into: Event[]): void {
  context.origins?.set(event, { file: context.file, record: describeLocator(where) });
  context.clusterNames?.noteNamesIn(event);
  into.push(event);
}

/** CloudTrail Insights events (in log files, EventBridge and Lake) describe call rates, not calls. */
function isCloudTrailInsight(record: Record<string, unknown>): boolean {
  return record.eventCategory === 'Insight' || record.eventType === 'AwsCloudTrailInsight';
}

/** A record's own rejection says why; anything else thrown is a fault of ours this record exposed. */
function rejectionWhileNormalizing(error: unknown): { code: RejectionCode; reason: string } {
  if (error instanceof RecordRejected) return rejectionOf(error);
  const name = error instanceof Error ? error.name : typeof error;
  return { code: 'internal-error', reason: boundedReason(`internal error while normalizing: ${name}`) };
}
