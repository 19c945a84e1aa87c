import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { auditSubject, describeActor, isServiceAccount, wasAllowed } from './subject.ts';

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
    if (event.username.startsWith('system:node:')) return undefined;
    // Kubernetes' control plane mints tokens for its own controllers, in kube-system; a token it mints for an
    // application's account is for someone else. (kube-system's service accounts are the cluster's add-ons at
    // work, and eks:* are EKS's managed components.)
    const controlPlane = event.username.startsWith('system:kube-') || event.username === 'system:apiserver';
    if (isSystemActor(event.username) && (!controlPlane || ref.namespace === 'kube-system')) return undefined;
    const target = `${ref.namespace}/${sanitize(ref.name)}`;
    const issued = event.issuedCredentialId ? ` (token ${sanitize(event.issuedCredentialId, 60)})` : '';
    const summary = `${describeActor(event)}${event.actorPod ? ` in pod ${sanitize(event.actorPod)}` : ''} requested a token for service account ${target}${issued}`;
    if (!isServiceAccount(event.username)) return { summary, subject: auditSubject(event) };
    // A workload asking for its own token (another audience) is routine; for another account it is taking that account over.
    const own = event.username === `system:serviceaccount:${ref.namespace}:${ref.name}`;
    return { summary, subject: auditSubject(event), severity: own ? 'low' : ref.namespace === 'kube-system' ? 'critical' : 'high' };
  },
});
