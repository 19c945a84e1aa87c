import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { containmentRbacManifest, containmentRbacYaml } from '#adapters/kubernetes/rbac-manifest';
import { CONTAINMENT_GROUP } from '#core/actions/cluster-group';
import { ACTIONS } from '#core/actions/registry';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const [clusterRole, binding] = containmentRbacManifest();
const rules = (clusterRole as { rules: Rule[] }).rules;

describe('containment RBAC manifest', () => {
  it('is a ClusterRole and a ClusterRoleBinding, both named pivotguard-containment', () => {
    expect(containmentRbacManifest()).toHaveLength(2);
    expect(clusterRole).toMatchObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'pivotguard-containment' } });
    expect(binding).toMatchObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'pivotguard-containment' } });
  });

  it('grants exactly what the actions and the evidence capture need, one rule per resource set', () => {
    expect(rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch', 'delete'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
      { apiGroups: [''], resources: ['services'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale', 'replicasets/scale'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'],
        verbs: ['get', 'create', 'delete'],
      },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
  });

  it('covers every verb each action declares', () => {
    for (const need of ACTIONS.flatMap((action) => action.needs.rbac)) {
      for (const group of need.apiGroups) {
        for (const resource of need.resources) {
          const granted = rules.filter((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource)).flatMap((rule) => rule.verbs);
          expect(granted).toEqual(expect.arrayContaining(need.verbs));
        }
      }
    }
  });

  it('never grants a wildcard, secrets, or anything on RBAC itself', () => {
    for (const rule of rules) {
      for (const verb of ['*', 'escalate', 'bind', 'impersonate']) expect(rule.verbs).not.toContain(verb);
      for (const resource of ['*', 'secrets']) expect(rule.resources).not.toContain(resource);
      for (const group of ['*', 'rbac.authorization.k8s.io']) expect(rule.apiGroups).not.toContain(group);
    }
  });

  it('binds the ClusterRole to the group the EKS access entries name', () => {
    expect(CONTAINMENT_GROUP).toBe('pivotguard-containment');
    expect(binding).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pivotguard-containment' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'pivotguard-containment' }],
    });
  });

  it('prints as a YAML stream kubectl applies, holding the same two documents', () => {
    const documents = parseAllDocuments(containmentRbacYaml()).map((document) => document.toJS());
    expect(documents).toEqual(containmentRbacManifest());
  });
});
