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
  // CloudFormation's own address says nothing; the stack it ran for is the lead to follow.
  if (isThroughCloudFormation(event)) return `${sanitize(who, 100)} through CloudFormation`;
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
  // CloudFormation reads the resources it manages, and returns nothing it read to the caller: only its changes are the caller's.
  if (isThroughCloudFormation(event) && isRead(event)) return false;
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
 * Services whose calls carry out exactly what the principal in userIdentity asked for, with that
 * principal's permissions: a console session (signin), and a stack's resources, which
 * CloudFormation creates with its caller's credentials or the stack's service role. Anyone who
 * may create a stack may delete a trail or add a user's key through it: those calls are the
 * caller's own.
 */
const ACTS_AS_CALLER = new Set(['signin.amazonaws.com', 'cloudformation.amazonaws.com']);

/**
 * AWS acting on its own account: a service on a principal's behalf (Auto Scaling launching an
 * instance, Config reading a resource), or a service-linked role.
 */
export function isAwsServiceCall(event: CloudTrailEvent): boolean {
  const invokedBy = event.identity.invokedBy;
  if (invokedBy !== undefined && !ACTS_AS_CALLER.has(invokedBy)) return true;
  return event.identity.roleArn?.includes(':role/aws-service-role/') ?? false;
}

/** A stack's resource handled by CloudFormation, with the stack caller's or its service role's permissions. */
export function isThroughCloudFormation(event: CloudTrailEvent): boolean {
  return event.identity.invokedBy === 'cloudformation.amazonaws.com';
}

/** A call that changes nothing, as CloudTrail marks it, else as its name says. */
function isRead(event: CloudTrailEvent): boolean {
  return event.readOnly ?? /^(Get|List|Describe|Head|BatchGet)/.test(event.eventName);
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
