import { stringify } from 'yaml';
import type { ActionDescriptor, RbacRule } from '#core/actions/descriptor';
import { CONTAINMENT_GROUP } from '#core/actions/cluster-group';
import { ACTIONS } from '#core/actions/registry';

/** Name of both the ClusterRole and the ClusterRoleBinding. */
export const CONTAINMENT_CLUSTER_ROLE = 'pivotguard-containment';

const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
const LABELS = { 'app.kubernetes.io/name': 'pivotguard', 'app.kubernetes.io/component': 'containment' };
const READ_VERBS: ReadonlySet<string> = new Set(['get', 'list', 'watch']);

/**
 * What pivotguard's containment function may do in a cluster: exactly what its actions need, undo
 * included (never secrets, never `*`), bound to the group its access entry maps to. The stack
 * does not apply it: that would need a standing cluster-admin principal.
 */
export function containmentRbacManifest(): Array<Record<string, unknown>> {
  return [
    {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRole',
      metadata: { name: CONTAINMENT_CLUSTER_ROLE, labels: LABELS },
      rules: mergeRules(neededRules()),
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

/** Every action's rules; the actions that change the cluster come first, so a reviewer meets the writes at the top. */
function neededRules(): RbacRule[] {
  const writes = (descriptor: ActionDescriptor) => descriptor.needs.rbac.some((rule) => rule.verbs.some((verb) => !READ_VERBS.has(verb)));
  return [...ACTIONS.filter(writes), ...ACTIONS.filter((descriptor) => !writes(descriptor))].flatMap((descriptor) => descriptor.needs.rbac);
}

/** One rule per set of API groups and resources, verbs unioned; rules and verbs keep their first-seen order. */
function mergeRules(rules: readonly RbacRule[]): RbacRule[] {
  const merged = new Map<string, RbacRule>();
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
