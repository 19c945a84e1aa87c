import type { AttackSequence, GuardDutyFinding } from '#core/model/event';
import type { AlsoNamed, Severity, SignalSubject } from '#core/model/signal';
import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { attackMappingFor } from './attack-mapping.ts';

/** GuardDuty's own bands: 1-3.9 low, 4-6.9 medium, 7-8.9 high, 9-10 critical. */
export function severityOf(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

export const guardDutyFinding = defineRule<'guardduty'>({
  id: 'guardduty.finding',
  title: 'GuardDuty finding',
  description: 'Every GuardDuty EKS, Runtime Monitoring and attack-sequence finding is a signal with its ATT&CK mapping.',
  source: 'guardduty',
  objective: { tactic: 'Unmapped', technique: 'Unmapped' },
  severity: 'medium',
  match(finding) {
    const process = finding.process?.executablePath ?? finding.process?.name;
    const subject = findingSubject(finding);
    const where = finding.namespace
      ? ` in ${finding.namespace}/${sanitize(finding.workloadName ?? '?')}`
      : finding.instanceId
        ? ` on ${finding.instanceId}`
        : subject.cluster
          ? ` in ${sanitize(subject.cluster, 100)}`
          : '';
    const notes = [
      finding.sequence && namedBySequence(finding.sequence),
      process && `process ${sanitize(process, 80)}`,
      finding.remoteIp && `remote ${finding.remoteIp}`,
      finding.count > 1 && `seen ${finding.count} times`,
      finding.archived && 'archived in GuardDuty',
      finding.sample && 'GuardDuty sample finding',
    ].filter(Boolean);
    return {
      title: `GuardDuty ${sanitize(finding.type, 100)}`,
      summary: `${sanitize(finding.type, 100)}${where}: ${sanitize(finding.title, 140)}${notes.length ? ` (${notes.join(', ')})` : ''}`,
      // Archived and sample findings stay visible as context, never as alerts on their own.
      severity: finding.archived || finding.sample ? 'low' : severityOf(finding.severity),
      objective: attackMappingFor(finding.type, finding.description),
      subject,
    };
  },
});

function findingSubject(finding: GuardDutyFinding): SignalSubject {
  const container = finding.containers[0];
  const subject: SignalSubject = {
    cluster: finding.cluster,
    namespace: finding.namespace,
    pod: finding.workloadType === 'pods' ? finding.workloadName : undefined,
    image: container?.image,
    imageDigest: container?.imageDigest,
    process: finding.process?.executablePath ?? finding.process?.name,
    instanceId: finding.instanceId,
    accessKeyId: finding.accessKeyId,
    sourceIp: finding.remoteIp,
    actor: finding.kubernetesUser ?? finding.iamUserName,
  };
  return finding.sequence ? withSequence(subject, finding.sequence) : subject;
}

/**
 * An attack sequence names the pods, keys and instances of the attack it summarizes: the first
 * of each fills the subject where the finding's own resource left it empty, the others go in
 * `alsoNamed`, so the sequence lands on every one of them and joins the incident of the pivot.
 */
function withSequence(subject: SignalSubject, sequence: AttackSequence): SignalSubject {
  const own = subject.pod && subject.cluster && subject.namespace ? { cluster: subject.cluster, namespace: subject.namespace, name: subject.pod } : undefined;
  const listed = sequence.workloads
    .filter((workload) => workload.kind === 'PODS' && workload.cluster && workload.namespace)
    .map((workload) => ({ cluster: workload.cluster!, namespace: workload.namespace!, name: workload.name }));
  const [firstPod, ...pods] = own ? [own, ...listed.filter((pod) => !samePod(pod, own))] : listed;
  const keys = firstAndRest(
    subject.accessKeyId,
    sequence.accessKeys.map((key) => key.accessKeyId),
  );
  const instances = firstAndRest(subject.instanceId, sequence.instanceIds);
  const alsoNamed: AlsoNamed = { pods, accessKeyIds: keys.rest, instanceIds: instances.rest };
  const further = pods.length + keys.rest.length + instances.rest.length;
  return {
    ...subject,
    cluster: firstPod?.cluster ?? subject.cluster ?? (sequence.clusters.length === 1 ? sequence.clusters[0] : undefined),
    namespace: firstPod?.namespace ?? subject.namespace,
    pod: firstPod?.name ?? subject.pod,
    accessKeyId: keys.first,
    instanceId: instances.first,
    roleArn: subject.roleArn ?? sequence.roleArns[0],
    actor: subject.actor ?? sequence.actors[0],
    ...(further > 0 ? { alsoNamed } : {}),
  };
}

function samePod(a: AlsoNamed['pods'][number], b: AlsoNamed['pods'][number]): boolean {
  return a.cluster === b.cluster && a.namespace === b.namespace && a.name === b.name;
}

/** The subject's own value first, else the sequence's first; the others after it. */
function firstAndRest(own: string | undefined, listed: string[]): { first?: string; rest: string[] } {
  const first = own ?? listed[0];
  return { first, rest: listed.filter((value) => value !== first) };
}

/** What the sequence names, counted: "names 2 workloads, 1 access key; 7 signals". */
function namedBySequence(sequence: AttackSequence): string {
  const count = (n: number, what: string) => (n > 0 ? `${n} ${what}${n === 1 ? '' : 's'}` : undefined);
  const named = [
    count(sequence.workloads.length, 'workload'),
    count(sequence.accessKeys.length, 'access key'),
    count(sequence.instanceIds.length, 'instance'),
  ].filter(Boolean);
  return `${named.length > 0 ? `names ${named.join(', ')}` : 'names nothing pivotguard can link'}; ${count(sequence.signalCount, 'signal') ?? 'no signals'}`;
}
