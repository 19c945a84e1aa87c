import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { asArray, asObject, str } from '#core/model/json';
import { WRITE_VERBS, auditSubject, describeActor, wasAllowed } from './subject.ts';

const ADMIN_ROLES = new Set(['cluster-admin', 'admin', 'system:masters']);

export const privilegedBinding = defineRule<'eks-audit'>({
  id: 'eks-audit.privileged-binding',
  title: 'Binding to an administrator role',
  description: 'Binding anyone to cluster-admin or admin hands over the cluster; it happens at install time, not on an ordinary day.',
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
    const subjects = asArray(binding?.subjects).map((subject) => `${str(subject.kind) ?? '?'} ${sanitize(str(subject.name), 60)}`);
    return {
      summary: `${describeActor(event)} bound ${subjects.join(', ') || 'someone'} to ${role} (${resource} ${sanitize(event.objectRef?.name)})`,
      subject: auditSubject(event),
      severity: isSystemActor(event.username) ? 'medium' : 'high',
    };
  },
});
