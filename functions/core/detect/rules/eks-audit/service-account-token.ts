import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { auditSubject, describeActor, wasAllowed } from './subject.ts';

export const serviceAccountTokenRequest = defineRule<'eks-audit'>({
  id: 'eks-audit.service-account-token',
  title: 'Service account token requested by a person or another workload',
  description: 'Kubelets request tokens for the pods they run; anyone else minting a token is borrowing that identity.',
  source: 'eks-audit',
  objective: { tactic: 'Credential Access (TA0006)', technique: 'T1528 Steal Application Access Token' },
  severity: 'medium',
  canMatch: (resource) => resource === 'serviceaccounts',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'serviceaccounts' || ref.subresource !== 'token' || event.verb !== 'create' || !wasAllowed(event)) return undefined;
    if (event.username.startsWith('system:node:') || isSystemActor(event.username)) return undefined;
    return { summary: `${describeActor(event)} requested a token for service account ${ref.namespace}/${sanitize(ref.name)}`, subject: auditSubject(event) };
  },
});
