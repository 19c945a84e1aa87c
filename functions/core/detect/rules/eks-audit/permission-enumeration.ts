import { defineRule } from '../../rule.ts';
import { isSystemActor } from '../../actors.ts';
import { auditSubject, describeActor } from './subject.ts';

const REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

export const permissionEnumeration = defineRule<'eks-audit'>({
  id: 'eks-audit.permission-enumeration',
  title: 'Workload asked what it is allowed to do',
  description: 'Applications do not ask the API server for their own permissions; attackers and their tools do.',
  source: 'eks-audit',
  objective: { tactic: 'Discovery (TA0007)', technique: 'T1613 Container and Resource Discovery' },
  severity: 'medium',
  canMatch: (resource) => REVIEWS.has(resource),
  match(event) {
    const resource = event.objectRef?.resource;
    if (event.verb !== 'create' || !resource || !REVIEWS.has(resource)) return undefined;
    if (!event.username.startsWith('system:serviceaccount:') || isSystemActor(event.username)) return undefined;
    return { summary: `${describeActor(event)} created a ${resource.slice(0, -1)}`, subject: auditSubject(event) };
  },
});
