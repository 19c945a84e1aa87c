import type { Severity } from '#core/model/signal';
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
    const container = finding.containers[0];
    const process = finding.process?.executablePath ?? finding.process?.name;
    const where = finding.namespace
      ? ` in ${finding.namespace}/${sanitize(finding.workloadName ?? '?')}`
      : finding.instanceId
        ? ` on ${finding.instanceId}`
        : '';
    const notes = [
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
      subject: {
        cluster: finding.cluster,
        namespace: finding.namespace,
        pod: finding.workloadType === 'pods' ? finding.workloadName : undefined,
        image: container?.image,
        imageDigest: container?.imageDigest,
        process,
        instanceId: finding.instanceId,
        accessKeyId: finding.accessKeyId,
        sourceIp: finding.remoteIp,
        actor: finding.kubernetesUser ?? finding.iamUserName,
      },
    };
  },
});
