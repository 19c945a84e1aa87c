import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { asObject, str } from '#core/model/json';
import { summarizePodSpec } from '#core/model/k8s-objects';
import { WRITE_VERBS, describeActor, isServiceAccount, senderSubject, wasAllowed } from './subject.ts';
import { canTakeOverHost, hostAccessTraits } from './host-access.ts';

export const kubeSystemHostDaemonSet = defineRule<'eks-audit'>({
  id: 'eks-audit.kube-system-host-daemonset',
  title: 'Host-level DaemonSet written to kube-system by a workload',
  description:
    "A privileged or host-namespace DaemonSet in kube-system runs on every node as root beside the cluster's own agents; EKS installs those with eks:addon-manager and people with kubectl, never a pod's service account.",
  source: 'eks-audit',
  objective: { tactic: 'Privilege Escalation (TA0004)', technique: 'T1611 Escape to Host' },
  severity: 'critical',
  canMatch: (resource) => resource === 'daemonsets',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'daemonsets' || ref.subresource || ref.namespace !== 'kube-system' || !WRITE_VERBS.has(event.verb)) return undefined;
    // People are kube-system-workload's; eks:addon-manager and the control plane are not service accounts. A service
    // account impersonating one of them is still the one that sent the request.
    const sender = event.impersonatedBy ?? { username: event.username, pod: event.actorPod };
    if (!isServiceAccount(sender.username) || !wasAllowed(event) || event.stage === 'RequestReceived') return undefined;
    // The stored object when logged (a patch's request is only the change), else the request.
    const daemonSet = asObject(event.responseObject)?.kind === 'DaemonSet' ? asObject(event.responseObject) : asObject(event.requestObject);
    const template = asObject(asObject(asObject(daemonSet?.spec)?.template)?.spec);
    if (!template) return undefined;
    const summary = summarizePodSpec(template);
    const traits = hostAccessTraits(summary);
    if (traits.length === 0) return undefined;
    const name = ref.name ?? str(asObject(daemonSet?.metadata)?.name);
    return {
      summary: `${describeActor(event)}${sender.pod ? ` in pod ${sanitize(sender.pod)}` : ''} did ${event.verb} DaemonSet kube-system/${sanitize(name)} with ${traits.join(', ')}`,
      subject: { ...senderSubject(event), namespace: 'kube-system', image: summary.containers[0]?.image },
      // Privileged, a host namespace, or the host's root or runtime socket: every node is the attacker's.
      severity: summary.privileged || summary.hostPID || summary.hostIPC || summary.hostNetwork || canTakeOverHost(summary) ? 'critical' : 'high',
    };
  },
});
