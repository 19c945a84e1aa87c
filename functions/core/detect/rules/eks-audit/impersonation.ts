import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { describeActor, isServiceAccount, senderSubject, wasAllowed } from './subject.ts';

export const impersonation = defineRule<'eks-audit'>({
  id: 'eks-audit.impersonation',
  title: 'Request sent as another user through impersonation',
  description:
    'Impersonation makes every other rule see the user impersonated; a workload identity that impersonates is borrowing a stronger one, and impersonating the cluster itself hides from the rules.',
  source: 'eks-audit',
  objective: { tactic: 'Privilege Escalation (TA0004)', technique: 'T1078 Valid Accounts' },
  severity: 'high',
  match(event) {
    const sender = event.impersonatedBy;
    if (!sender || !wasAllowed(event) || (event.stage && event.stage !== 'ResponseComplete')) return undefined;
    const asCluster = isSystemActor(event.username) || event.groups.includes('system:masters');
    const target = `${sanitize(event.objectRef?.resource ?? event.requestUri ?? 'the API', 80)}${event.objectRef?.name ? ` ${sanitize(event.objectRef.name)}` : ''}`;
    return {
      summary: `${describeActor(event)} did ${sanitize(event.verb)} ${target}${asCluster ? ', acting as the cluster itself' : ''}`,
      subject: senderSubject(event),
      // A person impersonating (kubectl --as) is how admins test RBAC: context. A workload doing it is not.
      severity: !isServiceAccount(sender.username) ? 'low' : asCluster ? 'critical' : 'high',
    };
  },
});
