import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import { INSPECTOR_ECR_IMAGE_RESOURCE, INSPECTOR_FINDING_DETAIL_TYPE, INSPECTOR_PACKAGE_FINDING } from '../functions/core/normalize/inspector.ts';

/**
 * What the EventBridge rules let into the queue, derived from what the core reads:
 * - GuardDuty: the finding types the core maps (lib/guardduty-pattern.ts, from
 *   functions/core/detect/rules/guardduty/finding-types.ts);
 * - CloudTrail: the calls the rules and the identity graph declare they read
 *   (lib/cloudtrail-pattern.ts, from functions/core/detect/watched-sources.ts), one rule per
 *   pattern since a pattern holds at most 2048 characters (EventBridge's default quota);
 * - Inspector: the findings the normalizer reads (functions/core/normalize/inspector.ts).
 */
export { CLOUDTRAIL_EVENT_PATTERNS } from './cloudtrail-pattern.ts';
export { GUARDDUTY_FINDINGS_PATTERN } from './guardduty-pattern.ts';

/**
 * Amazon Inspector's package-vulnerability findings on ECR container images (created, updated and
 * closed): facts on the images pods run. Findings on EC2 instances, Lambda functions, network
 * reachability and code stay out; the normalizer would set them aside.
 */
export const INSPECTOR_FINDINGS_PATTERN: events.EventPattern = {
  source: ['aws.inspector2'],
  detailType: [INSPECTOR_FINDING_DETAIL_TYPE],
  detail: { type: [INSPECTOR_PACKAGE_FINDING], resources: { type: [INSPECTOR_ECR_IMAGE_RESOURCE] } },
};

/**
 * What forwarders in other regions put on pivotguard's bus: CloudTrail, GuardDuty and Inspector events,
 * already narrowed by the same patterns there. Only AWS services emit `aws.` sources (PutEvents
 * refuses them), so nothing else on the bus, such as pivotguard's own incident events, matches.
 */
export const FORWARDED_EVENTS_PATTERN: events.EventPattern = {
  source: [{ prefix: 'aws.' }] as unknown as string[],
  detailType: ['GuardDuty Finding', 'AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail', INSPECTOR_FINDING_DETAIL_TYPE],
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
