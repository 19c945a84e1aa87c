import { REACH_CLUSTERS, describeAction } from './descriptor.ts';

/** Marks the node unschedulable so nothing new lands on it; its pods keep running (no drain). */
export const cordonNode = describeAction({
  name: 'cordon-node',
  label: 'Cordon the node',
  words: { done: 'cordoned the node', todo: 'cordon the node', noun: 'Node cordon' },
  // Every workload scheduled on the node is affected, not only the compromised one.
  tier: { always: 'approval' },
  needs: {
    iam: [REACH_CLUSTERS],
    rbac: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] }],
  },
  preconditions: ['the incident names the node and the host itself may be compromised', 'nobody else cordoned the node (checked when it runs)'],
  undoKinds: ['uncordon-node'],
  propose: ({ workload, hostAtRisk }) =>
    workload.node && hostAtRisk ? [{ target: workload.node, reason: 'the host may be compromised: schedule nothing new on it' }] : [],
});
