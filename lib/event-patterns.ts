import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import { WATCHED_EVENT_SOURCES } from '../functions/core/detect/watched-sources.ts';

/**
 * GuardDuty findings about Kubernetes: EKS Protection (audit-log findings such as
 * `Discovery:Kubernetes/SuccessfulAnonymousAccess`, on an EKS cluster), Runtime Monitoring
 * (`Execution:Runtime/NewBinaryExecuted`, on a cluster or a node) and attack sequences, which
 * chain findings across services. Everything else GuardDuty finds stays out of the queue.
 */
export const GUARDDUTY_FINDINGS_PATTERN: events.EventPattern = {
  source: ['aws.guardduty'],
  detailType: ['GuardDuty Finding'],
  detail: {
    $or: [
      { type: [{ wildcard: '*:Kubernetes/*' }], resource: { resourceType: ['EKSCluster'] } },
      { type: [{ wildcard: '*:Runtime/*' }] },
      { type: [{ prefix: 'AttackSequence:' }] },
    ],
  },
};

/**
 * CloudTrail management events (API calls and console sign-ins) from the services the rule pack
 * and the identity graph read. The rule that uses it must be in state
 * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`, or read-only calls (Get*, List*, Describe*)
 * never reach it.
 */
export const CLOUDTRAIL_EVENTS_PATTERN: events.EventPattern = {
  detailType: ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
  detail: { eventSource: [...WATCHED_EVENT_SOURCES] },
};

/** One EventBridge rule each: a pattern is limited to 4096 characters. */
export const CLOUDTRAIL_EVENT_PATTERNS: events.EventPattern[] = [CLOUDTRAIL_EVENTS_PATTERN];

/**
 * What forwarders in other regions put on pivotguard's bus: CloudTrail and GuardDuty events,
 * already narrowed by the same patterns there. Only AWS services emit `aws.` sources (PutEvents
 * refuses them), so nothing else on the bus, such as pivotguard's own incident events, matches.
 */
export const FORWARDED_EVENTS_PATTERN: events.EventPattern = {
  source: [{ prefix: 'aws.' }] as unknown as string[],
  detailType: ['GuardDuty Finding', 'AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'],
};

/**
 * EKS writes the audit log (JSON `audit.k8s.io` Event objects) to `kube-apiserver-audit-*`
 * streams of the cluster log group, next to the text logs of the API server, authenticator,
 * controller manager and scheduler. Subscription filters cannot select streams, so the filter
 * selects the audit events by their shape instead.
 */
export const AUDIT_EVENTS_FILTER = logs.FilterPattern.all(
  logs.FilterPattern.stringValue('$.kind', '=', 'Event'),
  logs.FilterPattern.stringValue('$.apiVersion', '=', 'audit.k8s.io/v1'),
);

/** The log group EKS control plane logging writes to. */
export function clusterLogGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}
