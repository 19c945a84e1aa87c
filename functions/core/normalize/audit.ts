import { z } from 'zod';
import type { AuditEvent } from '#core/model/event';
import { eventTime } from './instant.ts';
import { RecordRejected, describeZodError, rejectTooDeep } from './rejection.ts';

// Only the fields the pipeline reads are declared; the full record is kept as evidence.
const auditSchema = z.object({
  auditID: z.string().min(1),
  verb: z.string().min(1),
  stage: z.string().optional(),
  requestURI: z.string().optional(),
  requestReceivedTimestamp: z.string().optional(),
  stageTimestamp: z.string().optional(),
  timestamp: z.string().optional(),
  user: z.object({
    username: z.string().optional(),
    groups: z.array(z.string()).nullish(),
    // Only the extras read are declared: validating every key costs time on every record.
    extra: z.object({ 'authentication.kubernetes.io/pod-name': z.array(z.string()).optional() }).nullish(),
  }),
  sourceIPs: z.array(z.string()).nullish(),
  userAgent: z.string().nullish(),
  objectRef: z
    .object({
      resource: z.string().optional(),
      subresource: z.string().optional(),
      namespace: z.string().optional(),
      name: z.string().optional(),
      apiGroup: z.string().optional(),
    })
    .nullish(),
  responseStatus: z.object({ code: z.number().int().optional() }).nullish(),
  annotations: z.object({ 'authorization.k8s.io/decision': z.string().optional() }).nullish(),
});

export function isAuditEvent(value: Record<string, unknown>): boolean {
  if (value.kind !== 'Event') return false;
  if (typeof value.apiVersion === 'string') return value.apiVersion.startsWith('audit.k8s.io/');
  return 'auditID' in value || 'verb' in value || 'objectRef' in value || 'requestURI' in value;
}

/** `now` (epoch ms) bounds how far ahead of the clock the event may be dated. */
export function normalizeAuditEvent(value: Record<string, unknown>, cluster: string | undefined, now: number = Date.now()): AuditEvent {
  rejectTooDeep('EKS audit event', value);
  const parsed = auditSchema.safeParse(value);
  if (!parsed.success) throw new RecordRejected(describeZodError('EKS audit event', parsed.error), 'invalid-field');
  const record = parsed.data;
  const stamp = record.requestReceivedTimestamp ?? record.stageTimestamp ?? record.timestamp;
  if (stamp === undefined) {
    throw new RecordRejected('EKS audit event requestReceivedTimestamp: missing (nor stageTimestamp or timestamp)', 'invalid-field');
  }
  const time = eventTime('EKS audit event requestReceivedTimestamp', stamp, now);
  if (!cluster) {
    throw new RecordRejected(
      'EKS audit event: cluster unknown (not in a /aws/eks/NAME/cluster log group; pass --cluster NAME)',
      'invalid-field',
    );
  }
  return {
    source: 'eks-audit',
    eventId: record.auditID,
    time,
    raw: value,
    cluster,
    verb: record.verb,
    stage: record.stage,
    requestUri: record.requestURI,
    username: record.user.username ?? '',
    groups: record.user.groups ?? [],
    actorPod: record.user.extra?.['authentication.kubernetes.io/pod-name']?.[0],
    sourceIps: record.sourceIPs ?? [],
    userAgent: record.userAgent ?? undefined,
    objectRef: record.objectRef ?? undefined,
    responseCode: record.responseStatus?.code,
    decision: record.annotations?.['authorization.k8s.io/decision'],
    requestObject: value.requestObject ?? undefined,
    responseObject: value.responseObject ?? undefined,
  };
}

/** EKS names the audit log group /aws/eks/NAME/cluster. */
export function clusterFromLogGroup(logGroup: string): string | undefined {
  const match = /^\/aws\/eks\/([^/]+)\/cluster$/.exec(logGroup);
  return match?.[1];
}
