import { defineRule } from '../../rule.ts';
import { MUTATING_VERBS, auditSubject, describeActor, wasAllowed } from './subject.ts';

export const awsAuthChange = defineRule<'eks-audit'>({
  id: 'eks-audit.aws-auth-change',
  title: 'aws-auth ConfigMap changed',
  description: 'aws-auth maps IAM identities to Kubernetes groups; changing it is how an AWS identity becomes a cluster admin.',
  source: 'eks-audit',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1098 Account Manipulation' },
  severity: 'high',
  canMatch: (resource) => resource === 'configmaps',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'configmaps' || ref.namespace !== 'kube-system' || ref.name !== 'aws-auth') return undefined;
    if (!MUTATING_VERBS.has(event.verb) || !wasAllowed(event)) return undefined;
    return { summary: `${describeActor(event)} did ${event.verb} kube-system/aws-auth`, subject: auditSubject(event) };
  },
});
