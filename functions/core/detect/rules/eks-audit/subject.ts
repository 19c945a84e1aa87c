import type { AuditEvent } from '#core/model/event';
import type { SignalSubject } from '#core/model/signal';
import { sanitize, serviceAccountOf } from '../../actors.ts';

export function auditSubject(event: AuditEvent, pod?: string): SignalSubject {
  return {
    cluster: event.cluster,
    namespace: event.objectRef?.namespace,
    pod,
    serviceAccount: serviceAccountOf(event.username),
    sourceIp: event.sourceIps[0],
    actor: event.username,
    actorPod: event.actorPod,
    credentialId: event.credentialId,
  };
}

/** The subject of a signal about who sent the request: the impersonator when there is one. */
export function senderSubject(event: AuditEvent): SignalSubject {
  const sender = event.impersonatedBy;
  if (!sender) return auditSubject(event);
  return {
    cluster: event.cluster,
    serviceAccount: serviceAccountOf(sender.username),
    sourceIp: event.sourceIps[0],
    actor: sender.username,
    actorPod: sender.pod,
    credentialId: sender.credentialId,
  };
}

export function wasAllowed(event: AuditEvent): boolean {
  if (event.decision === 'forbid') return false;
  return event.responseCode === undefined || event.responseCode < 400;
}

export function wasForbidden(event: AuditEvent): boolean {
  return event.responseCode === 403 || event.decision === 'forbid';
}

export function describeActor(event: AuditEvent): string {
  const from = event.sourceIps[0] ? ` from ${event.sourceIps[0]}` : '';
  const by = event.impersonatedBy ? ` (impersonated by ${sanitize(event.impersonatedBy.username, 80)})` : '';
  return `${sanitize(event.username, 80)}${by}${from}`;
}

export function isServiceAccount(username: string): boolean {
  return username.startsWith('system:serviceaccount:');
}

export const WRITE_VERBS = new Set(['create', 'update', 'patch']);
/** Writes and deletes: what changes the cluster. */
export const MUTATING_VERBS = new Set(['create', 'update', 'patch', 'delete']);
