import { REACH_CLUSTERS, describeAction, podTargetOf } from './descriptor.ts';

/**
 * Labels the pod and applies a deny-all NetworkPolicy selecting the label, and takes off the labels
 * through which other allowing policies and Services select it; the pod keeps running for forensics.
 */
export const isolatePod = describeAction({
  name: 'isolate-pod',
  label: 'Isolate the pod',
  words: { done: 'isolated the pod', todo: 'isolate the pod', noun: 'Pod isolation' },
  tier: { byDefault: 'automatic' },
  needs: {
    iam: [REACH_CLUSTERS],
    rbac: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] },
      // list: the other policies that select the pod, which NetworkPolicy additivity lets allow its traffic.
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
      // list: the Services that select the pod, whose labels it takes off so new connections stop reaching it.
      { apiGroups: [''], resources: ['services'], verbs: ['list'] },
    ],
  },
  preconditions: ['the incident names the pod and it is still running', 'no other incident has quarantined the pod (checked when it runs)'],
  undoKinds: ['remove-pod-quarantine'],
  propose: ({ workload, podStillRunning }) => {
    const pod = podTargetOf(workload);
    return pod && podStillRunning ? [{ target: pod, reason: 'cut the pod off the network but keep it running for forensics' }] : [];
  },
});
