import type { ContainmentAction } from '#core/model/incident';

/** How an action is named to a person, in the email and on the approval page. */
export const ACTION_LABELS: Record<ContainmentAction, string> = {
  'capture-evidence': 'Capture evidence',
  'isolate-pod': 'Isolate the pod',
  'revoke-role-sessions': 'Revoke the role sessions',
  'revoke-all-sessions': 'Revoke every session of the role',
  'restart-pod': 'Restart the pod',
  'scale-down': 'Scale down the workload',
  'cordon-node': 'Cordon the node',
};
