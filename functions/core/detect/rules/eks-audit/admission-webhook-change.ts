import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { MUTATING_VERBS, auditSubject, describeActor, wasAllowed } from './subject.ts';

const WEBHOOKS = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']);

export const admissionWebhookChange = defineRule<'eks-audit'>({
  id: 'eks-audit.admission-webhook-change',
  title: 'Admission webhook created, changed or deleted',
  description: 'Admission webhooks see and may rewrite every object; a new or removed one changes what the cluster allows.',
  source: 'eks-audit',
  objective: { tactic: 'Defense Evasion (TA0005)', technique: 'T1562.001 Impair Defenses: Disable or Modify Tools' },
  severity: 'medium',
  canMatch: (resource) => WEBHOOKS.has(resource),
  match(event) {
    const ref = event.objectRef;
    if (!ref?.resource || !WEBHOOKS.has(ref.resource) || !MUTATING_VERBS.has(event.verb) || !wasAllowed(event) || isSystemActor(event.username))
      return undefined;
    return { summary: `${describeActor(event)} did ${event.verb} ${ref.resource} ${sanitize(ref.name)}`, subject: auditSubject(event) };
  },
});
