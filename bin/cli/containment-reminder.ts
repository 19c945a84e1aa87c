import type { UndoStep } from '#core/respond/action';
import { ACTION_LABELS } from '#core/respond/action-labels';
import type { IncidentResponse } from '#core/respond/response';
import { pendingUndos } from '#core/respond/undo-plan';
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
    ...inPlace.map((record) => ({ text: `  ${ACTION_LABELS[record.action]} ${record.target}: undo would ${undoWords(record.undo)}`, hang: 4 })),
    undoAdvice,
  ];
}

function undoWords(undo: Exclude<UndoStep, { kind: 'none' }>): string {
  switch (undo.kind) {
    case 'remove-pod-quarantine':
      return `delete NetworkPolicy ${undo.networkPolicy} and the label ${undo.label} on pod ${undo.namespace}/${undo.pod}`;
    case 'delete-role-policy':
      return `delete the policy ${undo.policyName} from role ${undo.roleName}`;
    case 'restore-trust-policy':
      return `put back the trust policy of role ${undo.roleName} as it was`;
    case 'restore-replicas':
      return `scale ${undo.workloadKind} ${undo.namespace}/${undo.name} back to ${undo.replicas}`;
    case 'uncordon-node':
      return `uncordon node ${undo.node}`;
  }
}
