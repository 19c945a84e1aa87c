import type { CloudTrailEvent } from '#core/model/event';
import type { SignalSubject } from '#core/model/signal';
import { sanitize } from '../../actors.ts';

export function cloudTrailSubject(event: CloudTrailEvent): SignalSubject {
  return {
    roleArn: event.identity.roleArn,
    accessKeyId: event.identity.accessKeyId,
    sourceIp: event.sourceIp || undefined,
    actor: event.identity.arn ?? event.identity.invokedBy ?? event.identity.userName,
  };
}

export function describeCaller(event: CloudTrailEvent): string {
  const who = event.identity.arn ?? event.identity.invokedBy ?? event.identity.userName ?? 'an unknown principal';
  return `${sanitize(who, 100)} from ${sanitize(event.sourceIp, 45)}`;
}

export function outcome(event: CloudTrailEvent): string {
  return event.errorCode ? ` (denied: ${sanitize(event.errorCode, 40)})` : '';
}

export function callName(event: CloudTrailEvent): string {
  return `${event.eventSource.replace('.amazonaws.com', '')}:${event.eventName}`;
}

const ACCESS_DENIED = /AccessDenied|Unauthorized|Forbidden/i;

/**
 * Whether a record says anything about its caller's intent: calls an AWS service made on a
 * principal's behalf (invokedBy) do not, nor do calls that failed for reasons other than
 * permissions (a name taken, a limit reached). A denied call is an attempt, and counts.
 */
export function showsIntent(event: CloudTrailEvent): boolean {
  if (event.identity.invokedBy) return false;
  return !event.errorCode || ACCESS_DENIED.test(event.errorCode);
}
