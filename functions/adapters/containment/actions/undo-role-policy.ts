import type { ActionRecord } from '#core/respond/action';
import type { UndoneRecord } from '#core/respond/response';
import type { UndoRunner } from './adapter.ts';

/** Deletes the deny policy a revoke step attached; the IAM adapter refuses any policy pivotguard did not write. */
export const undoRolePolicy: UndoRunner<'delete-role-policy'> = async (step, { record, incidentId, dryRun, iam }) => {
  const { result, detail } = await iam.undo(step, { incidentId, roleArn: record.target, dryRun });
  return { result: undoneResult(result), detail };
};

/** The IAM adapter answers in step results; an undo reads them as reversals. */
function undoneResult(result: ActionRecord['result']): UndoneRecord['result'] {
  if (result === 'applied') return 'undone';
  if (result === 'already-applied') return 'already-undone';
  return result;
}
