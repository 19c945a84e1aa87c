import { sessionsToRevoke } from '#core/respond/revoke-policy';
import type { RunContext } from './adapter.ts';
import { undoRolePolicy } from './undo-role-policy.ts';

/** Denies the sessions of the linked identity the step targets, scoped to the incident's pod. */
export const revokeRoleSessions = {
  run: async ({ incident, action, dryRun, iam, recordNow }: RunContext) => {
    const identity = incident.identities.find((candidate) => candidate.roleArn === action.target);
    if (!identity) return recordNow('failed', `no linked identity uses ${action.target}`);
    const scope = sessionsToRevoke(identity, incident.workload);
    if ('notScoped' in scope) return recordNow('skipped', scope.notScoped);
    return iam.revokeSessions({ incidentId: incident.id, roleArn: action.target, identity: scope, dryRun });
  },
  undo: { 'delete-role-policy': undoRolePolicy },
};
