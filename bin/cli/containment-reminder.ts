import { ACTION_LABELS } from '#core/respond/action-labels';
import type { IncidentResponse } from '#core/respond/response';
import { pendingUndos } from '#core/respond/undo-plan';
import { describeUndo } from '#core/view/undo-words';
import type { Printable } from './terminal.ts';

/**
 * What containment left in place on an incident being closed, and how to reverse it: a false
 * positive should not stay isolated or revoked because nobody remembered the steps.
 */
export function containmentReminder(response: IncidentResponse | undefined, undoAdvice: string): Printable[] {
  const applied = response?.actions.some(
    (record) => record.undo && record.undo.kind !== 'none' && (record.result === 'applied' || record.result === 'already-applied'),
  );
  if (!applied) return [];
  const inPlace = pendingUndos(response);
  if (inPlace.length === 0) return ['', 'Every containment step of this incident has been undone.'];
  return [
    '',
    `Still in place from containment (${inPlace.length}):`,
    // The view's one description of each undo, as the page and the emails give it.
    ...inPlace.map((record) => ({ text: `  ${ACTION_LABELS[record.action]} ${record.target}. Undo: ${describeUndo(record.undo)}`, hang: 4 })),
    undoAdvice,
  ];
}
