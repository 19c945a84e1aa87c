import { defineRule } from '../../rule.ts';
import { decodePercentEscapes, sanitize } from '../../actors.ts';
import { auditSubject, describeActor, wasAllowed } from './subject.ts';

const SUBRESOURCES: Record<string, string> = { exec: 'exec into', attach: 'attach to', portforward: 'port-forward to' };

export const execIntoPod = defineRule<'eks-audit'>({
  id: 'eks-audit.exec-into-pod',
  title: 'Interactive access into a pod',
  description: 'Nobody opens a shell, attaches to or port-forwards into a running pod without a reason worth knowing.',
  source: 'eks-audit',
  objective: { tactic: 'Execution (TA0002)', technique: 'T1609 Container Administration Command' },
  severity: 'medium',
  canMatch: (resource) => resource === 'pods',
  match(event) {
    const ref = event.objectRef;
    const action = ref?.resource === 'pods' && ref.subresource ? SUBRESOURCES[ref.subresource] : undefined;
    if (!action || !ref?.name || !wasAllowed(event) || event.stage === 'RequestReceived') return undefined;
    const command = /[?&]command=([^&]+)/.exec(event.requestUri ?? '');
    const what = command ? ` running ${sanitize(decodePercentEscapes(command[1]!.replace(/\+/g, ' ')), 60)}` : '';
    return {
      summary: `${describeActor(event)} did ${action} pod ${ref.namespace}/${sanitize(ref.name)}${what}`,
      subject: auditSubject(event, ref.name),
    };
  },
});
