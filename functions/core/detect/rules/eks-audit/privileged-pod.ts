import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { asObject, str } from '#core/model/json';
import { podObjectOf, summarizePodSpec } from '#core/model/k8s-objects';
import { auditSubject, describeActor, wasAllowed } from './subject.ts';
import { canTakeOverHost, hostAccessTraits } from './host-access.ts';

export const privilegedPod = defineRule<'eks-audit'>({
  id: 'eks-audit.privileged-pod',
  title: 'Pod created with host-level access',
  description: 'A privileged, host-namespace or hostPath pod can take over its node and every credential on it.',
  source: 'eks-audit',
  objective: { tactic: 'Privilege Escalation (TA0004)', technique: 'T1611 Escape to Host' },
  severity: 'medium',
  canMatch: (resource) => resource === 'pods',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'pods' || ref.subresource || event.verb !== 'create' || !wasAllowed(event)) return undefined;
    const pod = podObjectOf(event.requestObject, event.responseObject);
    const spec = asObject(pod?.spec);
    if (!spec) return undefined;
    const summary = summarizePodSpec(spec);
    const traits = hostAccessTraits(summary);
    if (traits.length === 0) return undefined;
    const takeover = canTakeOverHost(summary);
    const name = ref.name ?? str(asObject(pod?.metadata)?.name);
    return {
      summary: `${describeActor(event)} created pod ${ref.namespace}/${sanitize(name)} with ${traits.join(', ')}`,
      subject: { ...auditSubject(event, name), image: summary.containers[0]?.image },
      // Node agents (CNI, kube-proxy) are host-level by design; a controller rolling them is routine.
      severity: isSystemActor(event.username) && ref.namespace === 'kube-system' ? 'low' : takeover ? 'high' : 'medium',
    };
  },
});
