import type { UndoneRecord } from '#core/respond/response';
import type { RunContext, UndoRunner } from './adapter.ts';

/** Refuses the service account's token in the trust policy of the role the step targets (the subject is the planned one). */
export const denyWebIdentity = {
  run: async ({ incident, action, dryRun, iam, recordNow }: RunContext) => {
    const [subject] = action.scope ?? [];
    if (!subject) return recordNow('skipped', 'the plan names no service account to refuse');
    return iam.denyWebIdentity({ incidentId: incident.id, roleArn: action.target, subject, dryRun });
  },
  undo: {
    'restore-trust-policy': (async (step, { record, incidentId, dryRun, iam }) => {
      const { result, detail } = await iam.restoreTrustPolicy(step, { incidentId, roleArn: record.target, dryRun });
      const undone: UndoneRecord['result'] = result === 'applied' ? 'undone' : result === 'already-applied' ? 'already-undone' : result;
      return { result: undone, detail };
    }) satisfies UndoRunner<'restore-trust-policy'>,
  },
};
