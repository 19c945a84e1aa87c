import type { ContainmentAction } from '#core/model/incident';
import type { UndoStep } from './undo-step.ts';

export type { UndoStep };

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

/** Names shared by the labels and policies pivotguard writes, so an undo finds exactly them. */
export const QUARANTINE_LABEL = 'pivotguard.io/quarantine';

export function quarantinePolicyName(incidentId: string): string {
  return `pivotguard-quarantine-${incidentId}`;
}

export function revokePolicyName(incidentId: string, scope: 'sessions' | 'all-sessions' | 'fence'): string {
  if (scope === 'fence') return `pivotguard-fence-${incidentId}`;
  return scope === 'sessions' ? `pivotguard-revoke-${incidentId}` : `AWSRevokeOlderSessions-pivotguard-${incidentId}`;
}
