import type { UndoStep } from '#core/respond/action';
import { plural } from './words.ts';

/** What running an undo step would change, for a person deciding whether to run it. */
export function describeUndo(undo: UndoStep): string {
  switch (undo.kind) {
    case 'remove-pod-quarantine':
      return `Remove the label ${undo.label} from pod ${undo.cluster}/${undo.namespace}/${undo.pod}${restoredLabels(undo.detachedLabels)} and delete the NetworkPolicy ${undo.networkPolicy}, so its traffic flows again.`;
    case 'delete-role-policy':
      return `Delete the inline policy ${undo.policyName} from role ${undo.roleName}, so the revoked sessions work again until they expire.`;
    case 'restore-trust-policy':
      return `Put back the trust policy of role ${undo.roleName} as it was, so the service account's token is accepted again.`;
    case 'restore-replicas':
      return `Scale ${undo.workloadKind} ${undo.namespace}/${undo.name} in ${undo.cluster} back to ${plural(undo.replicas, 'replica')}.`;
    case 'uncordon-node':
      return `Uncordon node ${undo.node} in ${undo.cluster}, so pods are scheduled on it again.`;
    case 'delete-admission-block':
      return `Delete the ValidatingAdmissionPolicyBinding ${undo.binding} and the ValidatingAdmissionPolicy ${undo.policy} in ${undo.cluster}, so pods may use the blocked image again.`;
    case 'none':
      return `Cannot be undone: ${undo.reason}`;
  }
}

/** The labels isolation took off, as undo puts them back: only those nobody changed since. */
function restoredLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length === 0 ? '' : `, put back its labels ${entries.map(([key, value]) => `${key}=${value}`).join(', ')}`;
}
