import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { auditSubject, describeActor, isServiceAccount, wasAllowed } from './subject.ts';

const WORKLOADS = new Set(['daemonsets', 'cronjobs', 'deployments', 'pods', 'serviceaccounts']);
/** Namespaces the cluster keeps for itself: kube-system for its add-ons, kube-public and kube-node-lease for objects only it writes. */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

export const kubeSystemWorkload = defineRule<'eks-audit'>({
  id: 'eks-audit.kube-system-workload',
  title: 'Workload or service account planted in a system namespace, or a CronJob by hand',
  description:
    "kube-system is written by the cluster and its add-on installers, kube-public and kube-node-lease run nothing; a person adding a DaemonSet, CronJob or pod there is planting persistence, and a CronJob anyone's hand creates is a scheduled foothold.",
  source: 'eks-audit',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1053.007 Scheduled Task/Job: Container Orchestration Job' },
  severity: 'medium',
  canMatch: (resource) => WORKLOADS.has(resource),
  match(event) {
    const ref = event.objectRef;
    if (!ref?.resource || !WORKLOADS.has(ref.resource) || ref.subresource) return undefined;
    if (event.verb !== 'create' || !wasAllowed(event)) return undefined;
    const namespace = ref.namespace ?? '';
    const what = `${describeActor(event)} created ${ref.resource.slice(0, -1)} ${namespace}/${sanitize(ref.name)}`;
    if (!SYSTEM_NAMESPACES.has(namespace)) {
      // Pipelines and GitOps controllers create CronJobs as service accounts; a person doing it by hand is context.
      return ref.resource === 'cronjobs' && isPerson(event.username) ? { summary: what, subject: auditSubject(event), severity: 'low' } : undefined;
    }
    // Controllers roll kube-system's own add-ons; nothing at all is meant to run in the other two.
    const byCluster = isSystemActor(event.username) || isServiceAccount(event.username);
    if (byCluster && namespace === 'kube-system') return undefined;
    return {
      summary: what,
      subject: auditSubject(event),
      severity: ref.resource === 'daemonsets' || ref.resource === 'cronjobs' ? 'high' : 'medium',
    };
  },
});

function isPerson(username: string): boolean {
  return username !== '' && !username.startsWith('system:') && !username.startsWith('eks:');
}
