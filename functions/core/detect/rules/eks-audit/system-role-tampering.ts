import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { MUTATING_VERBS, auditSubject, describeActor, wasAllowed } from './subject.ts';

/** Built-in roles that a documented upgrade step tells people to edit. */
const PEOPLE_EDIT = new Set(['system:coredns']);

export const systemRoleTampering = defineRule<'eks-audit'>({
  id: 'eks-audit.system-role-tampering',
  title: 'Built-in system role or binding changed by a person',
  description: "The system: roles and bindings are the cluster's own; the API server reconciles them, people do not edit or delete them.",
  source: 'eks-audit',
  objective: { tactic: 'Defense Evasion (TA0005)', technique: 'T1222 File and Directory Permissions Modification' },
  severity: 'medium',
  canMatch: (resource) => resource === 'clusterroles' || resource === 'clusterrolebindings',
  match(event) {
    const ref = event.objectRef;
    const rbac = ref?.resource === 'clusterroles' || ref?.resource === 'clusterrolebindings';
    if (!rbac || !ref?.name?.startsWith('system:') || !MUTATING_VERBS.has(event.verb) || event.verb === 'create') return undefined;
    if (!wasAllowed(event) || isSystemActor(event.username)) return undefined;
    // EKS's guide to upgrading self-managed CoreDNS has people edit its role by hand; what the edit grants
    // is still judged, by risky-role, and deleting it is still tampering.
    if (ref.resource === 'clusterroles' && PEOPLE_EDIT.has(ref.name) && event.verb !== 'delete') return undefined;
    return { summary: `${describeActor(event)} did ${event.verb} ${ref.resource} ${sanitize(ref.name)}`, subject: auditSubject(event) };
  },
});
