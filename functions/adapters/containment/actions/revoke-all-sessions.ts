import type { RunContext } from './adapter.ts';
import { undoRolePolicy } from './undo-role-policy.ts';

export const revokeAllSessions = {
  // The approval's time (or the last signal's, when run without one) fixes the cutoff, so a retry denies the same sessions.
  run: async ({ incident, action, dryRun, approval, iam }: RunContext) =>
    iam.revokeAllSessions({ incidentId: incident.id, roleArn: action.target, now: new Date(approval?.at ?? incident.lastSeen), dryRun }),
  undo: { 'delete-role-policy': undoRolePolicy },
};
