import { REACH_CLUSTERS, describeAction } from './descriptor.ts';

/** Scales the pod's Deployment, StatefulSet or bare ReplicaSet to 0, recording the count to restore. */
export const scaleDown = describeAction({
  name: 'scale-down',
  label: 'Scale down the workload',
  words: { done: 'scaled the workload down', todo: 'scale the workload down', noun: 'Scale-down' },
  tier: { byDefault: 'approval' },
  needs: {
    iam: [REACH_CLUSTERS],
    // Through the scale subresource, so pivotguard never patches a Deployment, which would let it change the image.
    rbac: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale', 'replicasets/scale'], verbs: ['patch'] },
    ],
  },
  preconditions: ['the incident names the workload that owns the pod', 'the owner has a replica count (checked when it runs)'],
  undoKinds: ['restore-replicas'],
  propose: ({ workload }) =>
    workload.owner && workload.cluster && workload.namespace
      ? [{ target: `${workload.cluster}/${workload.namespace}/${workload.owner}`, reason: 'stop every replica of the compromised image until it is fixed' }]
      : [],
});
