import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { asArray, asObject, textOf } from '#core/model/json';
import { WRITE_VERBS, auditSubject, describeActor, wasAllowed } from './subject.ts';

export const riskyRole = defineRule<'eks-audit'>({
  id: 'eks-audit.risky-role',
  title: 'Role granting wildcard, exec, proxy or secret-write permissions',
  description: 'Roles with * verbs or resources, pods/exec, nodes/proxy or write access to secrets are escalation paths.',
  source: 'eks-audit',
  objective: { tactic: 'Privilege Escalation (TA0004)', technique: 'T1098.006 Account Manipulation: Additional Container Cluster Roles' },
  severity: 'medium',
  canMatch: (resource) => resource === 'clusterroles' || resource === 'roles',
  match(event) {
    const resource = event.objectRef?.resource;
    if ((resource !== 'clusterroles' && resource !== 'roles') || !WRITE_VERBS.has(event.verb) || !wasAllowed(event)) return undefined;
    const role = asObject(event.responseObject) ?? asObject(event.requestObject);
    const grants = new Set<string>();
    for (const rule of asArray(role?.rules)) {
      const verbs = textsOf(rule.verbs);
      const resources = textsOf(rule.resources);
      if (verbs.includes('*') || resources.includes('*')) grants.add('wildcard');
      if (resources.includes('pods/exec') || resources.includes('pods/attach')) grants.add('pods/exec');
      if (resources.includes('nodes/proxy')) grants.add('nodes/proxy');
      if (resources.includes('secrets') && verbs.some((verb) => ['create', 'update', 'patch', 'delete', '*'].includes(verb))) grants.add('secret writes');
      if (verbs.some((verb) => ['escalate', 'bind', 'impersonate'].includes(verb))) grants.add('escalate/bind/impersonate');
    }
    if (grants.size === 0 || isSystemActor(event.username)) return undefined;
    return {
      summary: `${describeActor(event)} wrote ${resource} ${sanitize(event.objectRef?.name)} granting ${[...grants].join(', ')}`,
      subject: auditSubject(event),
    };
  },
});

/** A rule's verbs or resources as written; anything but a list (which Kubernetes would refuse) names none. */
function textsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(textOf) : [];
}
