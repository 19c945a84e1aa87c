import type { ContainmentAction } from '#core/model/incident';

/**
 * One containment step as the workflow records it: what ran (or would have, dry), when, with
 * what result, and the exact step that reverses it. Nothing is applied without a record.
 */
export interface ActionRecord {
  action: ContainmentAction;
  incidentId: string;
  /** A pod as cluster/namespace/pod, a role by ARN, a node as cluster/node. */
  target: string;
  startedAt: string;
  finishedAt: string;
  result: 'applied' | 'dry-run' | 'already-applied' | 'skipped' | 'failed';
  /** One line for a person: what was done, or why not. */
  detail: string;
  /** Set when something was changed (or, dry, would be): how to put it back. */
  undo?: UndoStep;
}

/** The exact reversal of one applied step; executing it twice is harmless. */
export type UndoStep =
  | { kind: 'remove-pod-quarantine'; cluster: string; namespace: string; pod: string; label: string; networkPolicy: string }
  | { kind: 'delete-role-policy'; roleName: string; policyName: string }
  | { kind: 'restore-replicas'; cluster: string; namespace: string; workloadKind: 'Deployment' | 'StatefulSet' | 'ReplicaSet'; name: string; replicas: number }
  | { kind: 'uncordon-node'; cluster: string; node: string }
  | { kind: 'none'; reason: string };

/** What an action needs to be granted, so the stack and the docs can say it. */
export interface ActionNeeds {
  iam: string[];
  rbac: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}

/** Names shared by the labels and policies pivotguard writes, so an undo finds exactly them. */
export const QUARANTINE_LABEL = 'pivotguard.io/quarantine';

export function quarantinePolicyName(incidentId: string): string {
  return `pivotguard-quarantine-${incidentId}`;
}

export function revokePolicyName(incidentId: string, scope: 'sessions' | 'all-sessions'): string {
  return scope === 'sessions' ? `pivotguard-revoke-${incidentId}` : `AWSRevokeOlderSessions-pivotguard-${incidentId}`;
}
