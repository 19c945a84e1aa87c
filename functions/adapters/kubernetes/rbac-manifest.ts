import { stringify } from 'yaml';
import type { ActionNeeds } from '#core/respond/action';
import { KUBERNETES_NEEDS } from './containment.ts';

/** The Kubernetes group the stack's EKS access entries put the containment function's role in. */
export const CONTAINMENT_GROUP = 'pivotguard-containment';
/** Name of both the ClusterRole and the ClusterRoleBinding. */
export const CONTAINMENT_CLUSTER_ROLE = 'pivotguard-containment';

type Rule = ActionNeeds['rbac'][number];

/** capture-evidence reads the pod's spec and its containers' recent logs before anything changes. */
const EVIDENCE_RBAC: Rule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
];

const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
const LABELS = { 'app.kubernetes.io/name': 'pivotguard', 'app.kubernetes.io/component': 'containment' };

/**
 * What pivotguard's containment function may do in a cluster: exactly what its actions and the
 * evidence capture need (never secrets, never `*`), bound to the group its access entry maps to.
 * The stack does not apply it: that would need a standing cluster-admin principal.
 */
export function containmentRbacManifest(): Array<Record<string, unknown>> {
  const needs = [...Object.values(KUBERNETES_NEEDS).flatMap((need) => need.rbac), ...EVIDENCE_RBAC];
  return [
    {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRole',
      metadata: { name: CONTAINMENT_CLUSTER_ROLE, labels: LABELS },
      rules: mergeRules(needs),
    },
    {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRoleBinding',
      metadata: { name: CONTAINMENT_CLUSTER_ROLE, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CONTAINMENT_CLUSTER_ROLE },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: CONTAINMENT_GROUP }],
    },
  ];
}

/** The manifest as a multi-document YAML stream, for `kubectl apply -f -`. */
export function containmentRbacYaml(): string {
  return containmentRbacManifest()
    .map((document) => stringify(document))
    .join('---\n');
}

/** One rule per set of API groups and resources, verbs unioned; rules and verbs keep their first-seen order. */
function mergeRules(rules: readonly Rule[]): Rule[] {
  const merged = new Map<string, Rule>();
  for (const rule of rules) {
    const key = JSON.stringify([[...rule.apiGroups].sort(), [...rule.resources].sort()]);
    const existing = merged.get(key);
    if (existing === undefined) {
      merged.set(key, { apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...new Set(rule.verbs)] });
    } else {
      existing.verbs = [...new Set([...existing.verbs, ...rule.verbs])];
    }
  }
  return [...merged.values()];
}
