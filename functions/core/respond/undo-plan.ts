import type { ContainmentAction } from '#core/model/incident';
import type { ActionRecord, UndoStep } from './action.ts';
import type { IncidentResponse, UndoneRecord } from './response.ts';

/** An undo that needs no repeating: it reversed the step, found it reversed, or had to leave it as it is. */
const SETTLED: ReadonlySet<UndoneRecord['result']> = new Set(['undone', 'already-undone', 'skipped']);

/** What changed the cluster or the account, and so has something to put back. */
const CHANGED: ReadonlySet<ActionRecord['result']> = new Set(['applied', 'already-applied']);

export type ReversibleRecord = ActionRecord & { undo: Exclude<UndoStep, { kind: 'none' }> };

/** The settled undo recorded for a step, if any; a failed or dry undo leaves the step to be undone. */
export function settledUndoOf(record: ActionRecord, undone: readonly UndoneRecord[]): UndoneRecord | undefined {
  return undone.find((entry) => entry.action === record.action && entry.target === record.target && SETTLED.has(entry.result));
}

/**
 * The recorded steps an undo would reverse (all, or one action's), oldest first: the approval
 * page offers exactly these, and undo runs exactly these.
 */
export function pendingUndos(response: IncidentResponse | undefined, action?: ContainmentAction): ReversibleRecord[] {
  if (!response) return [];
  return response.actions.filter(
    (record): record is ReversibleRecord =>
      record.undo !== undefined &&
      record.undo.kind !== 'none' &&
      CHANGED.has(record.result) &&
      (!action || record.action === action) &&
      settledUndoOf(record, response.undone) === undefined,
  );
}
