import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { asArray, asObject, str } from '#core/model/json';
import { WRITE_VERBS, auditSubject, describeActor, wasAllowed } from './subject.ts';

/**
 * Roles that hand over the cluster: the administrator roles, and the control plane's own roles,
 * which read every secret and mint tokens for any service account (kube-controller-manager), or
 * read them unrestricted once bound outside the Node authorizer (system:node).
 */
const ADMIN_ROLES = new Set(['cluster-admin', 'admin', 'system:masters', 'system:kube-controller-manager', 'system:node']);

export const privilegedBinding = defineRule<'eks-audit'>({
  id: 'eks-audit.privileged-binding',
  title: 'Binding to an administrator role',
  description:
    'Binding anyone to cluster-admin, admin or a control-plane role cluster-wide or in kube-system hands over the cluster; it happens at install time, not on an ordinary day.',
  source: 'eks-audit',
  objective: { tactic: 'Privilege Escalation (TA0004)', technique: 'T1098.006 Account Manipulation: Additional Container Cluster Roles' },
  severity: 'high',
  canMatch: (resource) => resource === 'clusterrolebindings' || resource === 'rolebindings',
  match(event) {
    const resource = event.objectRef?.resource;
    if ((resource !== 'clusterrolebindings' && resource !== 'rolebindings') || !WRITE_VERBS.has(event.verb) || !wasAllowed(event)) return undefined;
    const binding = asObject(event.responseObject) ?? asObject(event.requestObject);
    const role = str(asObject(binding?.roleRef)?.name);
    if (!role || !ADMIN_ROLES.has(role)) return undefined;
    const namespace = event.objectRef?.namespace;
    const subjects = asArray(binding?.subjects);
    // In a RoleBinding, admin is the role Kubernetes made for handing a team its namespace, and its creator
    // already holds what it grants. Outside kube-system (whose secrets are every controller's token) it is
    // a namespace handed over, worth a look only when it reaches a workload identity of another namespace.
    const namespaced = resource === 'rolebindings' && namespace !== 'kube-system';
    const foreignAccount = subjects.some(
      (subject) => str(subject.kind) === 'ServiceAccount' && str(subject.namespace) !== undefined && str(subject.namespace) !== namespace,
    );
    if (namespaced && !foreignAccount) return undefined;
    const names = subjects.map((subject) => `${str(subject.kind) ?? '?'} ${sanitize(str(subject.name), 60)}`);
    return {
      summary: `${describeActor(event)} bound ${names.join(', ') || 'someone'} to ${role} (${resource} ${namespace ? `${namespace}/` : ''}${sanitize(event.objectRef?.name)})`,
      subject: auditSubject(event),
      severity: namespaced || isSystemActor(event.username) ? 'medium' : 'high',
    };
  },
});
