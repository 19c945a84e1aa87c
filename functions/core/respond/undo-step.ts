/**
 * The exact reversal of one applied step; executing it twice is harmless. Its own module, with no
 * imports, because the action descriptors name its kinds and the records carry it.
 */
export type UndoStep =
  /** `detachedLabels`: the labels isolation took off the pod, with their values, to put back; absent in steps recorded before. */
  | {
      kind: 'remove-pod-quarantine';
      cluster: string;
      namespace: string;
      pod: string;
      label: string;
      networkPolicy: string;
      detachedLabels?: Record<string, string>;
    }
  | { kind: 'delete-role-policy'; roleName: string; policyName: string }
  /** `document` is the trust policy as it was read; `written` the one pivotguard put in its place. */
  | { kind: 'restore-trust-policy'; roleName: string; document: string; written: string }
  | { kind: 'restore-replicas'; cluster: string; namespace: string; workloadKind: 'Deployment' | 'StatefulSet' | 'ReplicaSet'; name: string; replicas: number }
  | { kind: 'uncordon-node'; cluster: string; node: string }
  /** The cluster-scoped ValidatingAdmissionPolicy and its binding a block-image-digest created, both labelled with `incidentId`. */
  | { kind: 'delete-admission-block'; cluster: string; incidentId: string; policy: string; binding: string }
  | { kind: 'none'; reason: string };
