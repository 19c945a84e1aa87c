import { REACH_CLUSTERS, describeAction, podTargetOf } from './descriptor.ts';

/** Deletes the pod so its controller starts a fresh one from its spec. */
export const restartPod = describeAction({
  name: 'restart-pod',
  label: 'Restart the pod',
  words: { done: 'restarted the pod', todo: 'restart the pod', noun: 'Pod restart' },
  tier: { byDefault: 'approval' },
  needs: {
    iam: [REACH_CLUSTERS],
    rbac: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }],
  },
  preconditions: ['the incident names the pod and it is still running', 'a controller recreates the pod (checked when it runs)'],
  // A deleted pod cannot come back; the evidence was captured before the delete.
  undoKinds: [],
  propose: ({ workload, podStillRunning }) => {
    const pod = podTargetOf(workload);
    return pod && podStillRunning ? [{ target: pod, reason: 'replace the pod with a fresh one from its spec' }] : [];
  },
});
