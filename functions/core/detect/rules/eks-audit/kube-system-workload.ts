import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { auditSubject, describeActor, wasAllowed } from './subject.ts';

const WORKLOADS = new Set(['daemonsets', 'cronjobs', 'deployments', 'pods', 'serviceaccounts']);

export const kubeSystemWorkload = defineRule<'eks-audit'>({
  id: 'eks-audit.kube-system-workload',
  title: 'Workload or service account planted in kube-system or kube-public',
  description: 'kube-system is written by the cluster and its add-on installers; a person adding a DaemonSet, CronJob or pod there is planting persistence.',
  source: 'eks-audit',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1053.007 Scheduled Task/Job: Container Orchestration Job' },
  severity: 'medium',
  canMatch: (resource) => WORKLOADS.has(resource),
  match(event) {
    const ref = event.objectRef;
    if (!ref?.resource || !WORKLOADS.has(ref.resource) || ref.subresource) return undefined;
    if (event.verb !== 'create' || !['kube-system', 'kube-public'].includes(ref.namespace ?? '') || !wasAllowed(event)) return undefined;
    // Controllers roll kube-system's own add-ons; nothing at all is meant to run in kube-public.
    const byCluster = isSystemActor(event.username) || event.username.startsWith('system:serviceaccount:');
    if (byCluster && ref.namespace === 'kube-system') return undefined;
    return {
      summary: `${describeActor(event)} created ${ref.resource.slice(0, -1)} ${ref.namespace}/${sanitize(ref.name)}`,
      subject: auditSubject(event),
      severity: ref.resource === 'daemonsets' || ref.resource === 'cronjobs' ? 'high' : 'medium',
    };
  },
});
