import { defineRule } from '../../rule.ts';
import { isPublicAddress } from '#core/model/address';
import { auditSubject, describeActor, wasAllowed } from './subject.ts';

export const systemPrincipalFromPublicIp = defineRule<'eks-audit'>({
  id: 'eks-audit.system-principal-public-ip',
  title: 'Cluster identity used from a public address',
  description: 'Nodes, controllers and kube-system service accounts talk to the API server from inside the VPC, never from the internet.',
  source: 'eks-audit',
  objective: { tactic: 'Credential Access (TA0006)', technique: 'T1528 Steal Application Access Token' },
  severity: 'high',
  match(event) {
    // eks:* identities are EKS's own managed components, which call from AWS's public addresses.
    const systemIdentity = event.username.startsWith('system:') && event.username !== 'system:anonymous';
    const from = event.sourceIps[0];
    // One request is logged at several stages; judge it once, when complete.
    if (event.stage && event.stage !== 'ResponseComplete') return undefined;
    if (!systemIdentity || !from || !isPublicAddress(from) || !wasAllowed(event)) return undefined;
    return { summary: `${describeActor(event)} called ${event.verb} ${event.objectRef?.resource ?? event.requestUri ?? ''}`, subject: auditSubject(event) };
  },
});
