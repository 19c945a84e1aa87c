import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { cloudTrailSubject, describeCaller, outcome } from './subject.ts';

export const podIdentityMisuse = defineRule<'cloudtrail'>({
  id: 'cloudtrail.pod-identity-misuse',
  title: 'Pod Identity credentials requested by something other than the agent',
  description:
    "Only the EKS Pod Identity agent, with its node's instance credentials, calls AssumeRoleForPodIdentity; a person or a tool calling it is minting a pod's role.",
  source: 'cloudtrail',
  objective: { tactic: 'Credential Access (TA0006)', technique: 'T1528 Steal Application Access Token' },
  severity: 'medium',
  watches: { calls: ['eks-auth.amazonaws.com:AssumeRoleForPodIdentity'] },
  canMatch: (call) => call === 'eks-auth.amazonaws.com:AssumeRoleForPodIdentity',
  match(event) {
    if (event.eventSource !== 'eks-auth.amazonaws.com' || event.eventName !== 'AssumeRoleForPodIdentity') return undefined;
    const fromNode = event.identity.ec2RoleDelivery !== undefined;
    const byTool = /aws-cli|boto|command\//.test(event.userAgent ?? '');
    if (fromNode && !byTool) return undefined;
    return {
      summary: `${describeCaller(event)} called eks-auth:AssumeRoleForPodIdentity with ${sanitize(event.userAgent, 80) || 'no user agent'}${outcome(event)}`,
      subject: cloudTrailSubject(event),
    };
  },
});
