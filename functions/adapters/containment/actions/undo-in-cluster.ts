import type { ReversingUndoKind } from '#core/actions/descriptor';
import type { UndoRunner, UndoStepOf } from './adapter.ts';

type ClusterUndoKind = Exclude<ReversingUndoKind, 'delete-role-policy' | 'restore-trust-policy'>;

/**
 * Reverses a step in the cluster it was taken in; `describe` says what the reversal does, for a
 * dry run and for a failure. One unreachable cluster must not stop the other reversals, so a
 * failure becomes the outcome, not an error.
 */
export function undoInCluster<Kind extends ClusterUndoKind>(describe: (step: UndoStepOf[Kind]) => string): UndoRunner<Kind> {
  return async (step, { dryRun, kubernetes }) => {
    if (dryRun) return { result: 'dry-run', detail: `would ${describe(step)}` };
    try {
      const { result, detail } = await (await kubernetes(step.cluster)).undo(step);
      return { result, detail };
    } catch (error) {
      return { result: 'failed', detail: `could not ${describe(step)}: ${(error as Error).message}`.slice(0, 500) };
    }
  };
}
