import { REACH_CLUSTERS, describeAction, podTargetOf } from './descriptor.ts';

/** Keeps the incident's records, the pod's spec and logs and the roles' policies before any other step changes them. */
export const captureEvidence = describeAction({
  name: 'capture-evidence',
  label: 'Capture evidence',
  words: { done: 'captured evidence', todo: 'capture evidence', noun: 'Evidence capture' },
  // It changes nothing people rely on, and every later step must find the evidence kept.
  tier: { always: 'automatic' },
  needs: {
    iam: [
      // s3:GetObject (HeadObject) only when a retry finds an object already there.
      { on: 'evidence-objects', actions: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject'] },
      { on: 'evidence-key', actions: ['kms:GenerateDataKey', 'kms:Decrypt'] },
      REACH_CLUSTERS,
    ],
    rbac: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ],
  },
  preconditions: ['none: every incident has records to keep; a pod that cannot be read is noted in the evidence'],
  // Evidence is kept (under Object Lock): there is nothing to put back.
  undoKinds: [],
  propose: ({ workload, identities }) => [
    {
      target: podTargetOf(workload) ?? identities[0]?.roleArn ?? 'incident',
      reason: 'keep the records, pod spec, logs and role policies before anything changes',
    },
  ],
});
