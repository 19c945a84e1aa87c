import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { auditSubject, describeActor, wasForbidden } from './subject.ts';

export const forbiddenApiCall = defineRule<'eks-audit'>({
  id: 'eks-audit.forbidden-api-call',
  title: 'Service account refused by the API server',
  description: 'A workload identity that keeps hitting 403 is trying things its workload never needs.',
  source: 'eks-audit',
  objective: { tactic: 'Discovery (TA0007)', technique: 'T1613 Container and Resource Discovery' },
  severity: 'low',
  match(event) {
    if (!wasForbidden(event) || !event.username.startsWith('system:serviceaccount:') || isSystemActor(event.username)) {
      return undefined;
    }
    const ref = event.objectRef;
    const target = ref?.resource
      ? `${ref.resource}${ref.namespace ? ` in ${ref.namespace}` : ' cluster-wide'}${ref.name ? ` (${sanitize(ref.name)})` : ''}`
      : sanitize(event.requestUri);
    return { summary: `${describeActor(event)} was forbidden to ${event.verb} ${target}`, subject: auditSubject(event) };
  },
});
