import type { IncidentIdentity, IncidentWorkload } from '#core/model/incident';
import { clusterNameOf } from '#core/model/cluster-id';

/**
 * The deny policies pivotguard attaches to a role to cut off credentials already handed out.
 * They are security controls: each builder refuses input that would make the condition match
 * more (or nothing) than the caller meant, instead of returning a policy that denies every
 * session of the role.
 */

export interface DenyStatement {
  Effect: 'Deny';
  Action: '*';
  Resource: '*';
  Condition: Record<string, Record<string, string | string[]>>;
}

export interface DenyPolicyDocument {
  Version: '2012-10-17';
  Statement: [DenyStatement];
}

/** Which sessions of a role to deny, in the terms its credential mechanism gives. */
export type SessionScope =
  /** `aws:userid` of an assumed-role session is `<role unique id>:<session name>`. */
  | { via: 'irsa'; sessionUserIds: string[] }
  /** EKS Pod Identity tags every session with the pod it was issued to. */
  | { via: 'pod-identity'; namespace: string; pod: string; clusterName?: string; clusterArn?: string };

/** What the adapter is asked to revoke: session names still need the role's unique id. */
export type SessionsToRevoke =
  /** By `aws:userid`: IRSA sessions, chained sessions, Pod Identity sessions without tags. `mechanism` says which, for the record. */
  | { via: 'irsa'; sessionNames: string[]; mechanism?: string }
  /** By the pod's session tags: Pod Identity sessions and every session chained from them, new ones included. */
  | { via: 'pod-identity'; namespace: string; pod: string; clusterName?: string; clusterArn?: string };

/** The input would produce a policy that does not mean what the caller asked for. */
export class InvalidRevokeScope extends Error {
  constructor(readonly reason: string) {
    super(`refusing to build a revoke policy: ${reason}`);
    this.name = 'InvalidRevokeScope';
  }
}

/** Role unique ids start AROA; session names are 2-64 of [\w+=,.@-] (STS RoleSessionName). */
const SESSION_USER_ID = /^AROA[0-9A-Z]{4,}:[\w+=,.@-]{2,64}$/;
/** Kubernetes namespace (DNS label) and pod name (DNS subdomain). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const CLUSTER_ARN = /^arn:aws[\w-]*:eks:[a-z0-9-]+:\d{12}:cluster\/[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

/** Denies everything to the named sessions (IRSA) or to the one pod's sessions (Pod Identity). */
export function scopedRevokePolicy(scope: SessionScope): DenyPolicyDocument {
  if (scope.via === 'irsa') {
    const ids = [...new Set(scope.sessionUserIds)].sort();
    if (ids.length === 0) throw new InvalidRevokeScope('no session ids to deny');
    const invalid = ids.find((id) => !SESSION_USER_ID.test(id));
    if (invalid !== undefined) throw new InvalidRevokeScope(`"${invalid}" is not ROLEID:sessionName`);
    return deny({ StringEquals: { 'aws:userid': ids } });
  }
  if (scope.via === 'pod-identity') {
    if (!scope.namespace || !NAMESPACE.test(scope.namespace)) throw new InvalidRevokeScope(`"${scope.namespace}" is not a namespace`);
    if (!scope.pod || !POD_NAME.test(scope.pod)) throw new InvalidRevokeScope(`"${scope.pod}" is not a pod name`);
    const tags: Record<string, string> = {
      'aws:PrincipalTag/kubernetes-namespace': scope.namespace,
      'aws:PrincipalTag/kubernetes-pod-name': scope.pod,
    };
    if (scope.clusterName !== undefined) {
      if (!CLUSTER_NAME.test(scope.clusterName)) throw new InvalidRevokeScope(`"${scope.clusterName}" is not an EKS cluster name`);
      tags['aws:PrincipalTag/eks-cluster-name'] = scope.clusterName;
    }
    if (scope.clusterArn !== undefined) {
      if (!CLUSTER_ARN.test(scope.clusterArn)) throw new InvalidRevokeScope(`"${scope.clusterArn}" is not an EKS cluster ARN`);
      tags['aws:PrincipalTag/eks-cluster-arn'] = scope.clusterArn;
    }
    return deny({ StringEquals: tags });
  }
  throw new InvalidRevokeScope(`unknown credential mechanism ${(scope as { via: unknown }).via}`);
}

/** The console's "Revoke active sessions": deny every session of the role issued before a time. */
export function revokeAllSessionsPolicy(issuedBefore: Date): DenyPolicyDocument {
  if (!(issuedBefore instanceof Date) || Number.isNaN(issuedBefore.getTime())) {
    throw new InvalidRevokeScope('no valid time to revoke sessions issued before');
  }
  return deny({ DateLessThan: { 'aws:TokenIssueTime': issuedBefore.toISOString() } });
}

function deny(condition: DenyStatement['Condition']): DenyPolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: condition }] };
}

/**
 * What to revoke for one linked identity of an incident, or why there is no pod-scoped way to.
 * Instance-role sessions belong to the node, so denying them stops the node, not a pod.
 */
export function sessionsToRevoke(
  identity: Pick<IncidentIdentity, 'via' | 'sessions' | 'tiedSessions' | 'podTags'>,
  workload: Pick<IncidentWorkload, 'cluster' | 'namespace' | 'pod'>,
): SessionsToRevoke | { notScoped: string } {
  const tied = identity.tiedSessions ?? identity.sessions;
  const byName = (mechanism: string): SessionsToRevoke | { notScoped: string } =>
    tied.length > 0 ? { via: 'irsa', sessionNames: tied, mechanism } : { notScoped: `no ${mechanism} session is tied to the attacker by the evidence` };
  if (identity.via === 'irsa') return byName('IRSA');
  // Pod Identity's tags are transitive: a deny on them reaches every session chained from the pod's, new ones too.
  const podTagged = identity.podTags === true || (identity.via === 'pod-identity' && identity.podTags !== false);
  if (identity.via === 'pod-identity' || identity.via === 'chained') {
    if (!podTagged) {
      // An association with session tags disabled: a tag-scoped deny would match nothing, so the sessions are named.
      return byName(identity.via === 'chained' ? 'chained' : 'untagged Pod Identity');
    }
    if (!workload.namespace || !workload.pod) {
      return identity.via === 'chained' ? byName('chained') : { notScoped: 'the pod behind the Pod Identity sessions is not known' };
    }
    return {
      via: 'pod-identity',
      namespace: workload.namespace,
      pod: workload.pod,
      // The tag holds the EKS name; the role, and so the deny, is in the cluster's account.
      ...(workload.cluster && CLUSTER_NAME.test(clusterNameOf(workload.cluster)) ? { clusterName: clusterNameOf(workload.cluster) } : {}),
    };
  }
  return { notScoped: `${identity.via} credentials are not issued to one pod; revoking them is not a pod-scoped step` };
}

/** Reads back a scoped IRSA policy's denied session ids, so a retry can add to them, never drop. */
export function deniedSessionUserIds(document: unknown): string[] | undefined {
  const value = conditionValue(document, 'StringEquals', 'aws:userid');
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

/** Reads back an all-sessions policy's cutoff time. */
export function revokedBefore(document: unknown): Date | undefined {
  const value = conditionValue(document, 'DateLessThan', 'aws:TokenIssueTime');
  const time = typeof value === 'string' ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : undefined;
}

function conditionValue(document: unknown, operator: string, key: string): unknown {
  if (!document || typeof document !== 'object') return undefined;
  const statements = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  if (list.length !== 1) return undefined;
  const statement = list[0] as { Effect?: unknown; Condition?: Record<string, Record<string, unknown>> } | undefined;
  if (statement?.Effect !== 'Deny') return undefined;
  return statement.Condition?.[operator]?.[key];
}
