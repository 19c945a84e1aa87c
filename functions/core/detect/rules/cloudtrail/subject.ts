import type { CloudTrailEvent } from '#core/model/event';
import type { SignalSubject } from '#core/model/signal';
import { sanitize } from '../../actors.ts';

export function cloudTrailSubject(event: CloudTrailEvent): SignalSubject {
  return {
    roleArn: event.identity.roleArn,
    accessKeyId: event.identity.accessKeyId,
    sourceIp: event.sourceIp || undefined,
    api: callName(event),
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
  if (isAwsServiceCall(event)) return false;
  return !event.errorCode || ACCESS_DENIED.test(event.errorCode);
}

/**
 * Whether a change rule should look at the record: a person or workload made the call and it
 * took effect. A refused change changes nothing; it is left to the denied-call signal.
 */
export function tookEffect(event: CloudTrailEvent): boolean {
  return !isAwsServiceCall(event) && !event.errorCode;
}

/**
 * AWS acting on its own account: a service on a principal's behalf, or a service-linked role.
 * invokedBy signin.amazonaws.com marks a person's console session, which is the person acting.
 */
export function isAwsServiceCall(event: CloudTrailEvent): boolean {
  const invokedBy = event.identity.invokedBy;
  if (invokedBy !== undefined && invokedBy !== 'signin.amazonaws.com') return true;
  return event.identity.roleArn?.includes(':role/aws-service-role/') ?? false;
}

export function wasRefused(event: CloudTrailEvent): boolean {
  return event.errorCode !== undefined && ACCESS_DENIED.test(event.errorCode);
}

/** Whether the call names the caller itself (its own password, its own key): routine upkeep. */
export function actsOnItself(event: CloudTrailEvent, userName: string | undefined): boolean {
  if (!userName) return false;
  const own = event.identity.type === 'IAMUser' ? event.identity.userName : event.identity.arn?.split('/')[2];
  return own === userName;
}
