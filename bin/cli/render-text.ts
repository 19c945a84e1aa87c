import type { Incident } from '#core/model/incident';
import type { ReplayResult } from '#adapters/local-replay';

/** The readable summary a person reads in a terminal: one block per incident. */
export function renderReplay(result: ReplayResult): string {
  const { stats } = result;
  const lines: string[] = [];
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  lines.push(
    `pivotguard replay: ${plural(stats.events, 'record')} from ${plural(stats.files, 'file')} ` +
      `(${stats.eventsBySource['eks-audit']} EKS audit, ${stats.eventsBySource.cloudtrail} CloudTrail, ${stats.eventsBySource.guardduty} GuardDuty), ` +
      `${stats.signals} signals, ${plural(stats.incidents, 'incident')}, ${stats.rejected} rejected`,
  );
  if (stats.suppressedSignals > 0) lines.push(`${plural(stats.suppressedSignals, 'signal')} suppressed by configuration (see --json)`);
  for (const incident of result.incidents) lines.push('', ...renderIncident(incident));
  if (result.rejected.length > 0) {
    lines.push('', `Rejected records (${result.rejected.length}; all of them are in --json):`);
    for (const rejected of result.rejected.slice(0, 10)) lines.push(`  ${rejected.file} ${rejected.record}: ${rejected.reason}`);
    if (result.rejected.length > 10) lines.push(`  … and ${result.rejected.length - 10} more`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderIncident(incident: Incident): string[] {
  const { workload } = incident;
  const label = (name: string) => `  ${name.padEnd(13)}`;
  const indent = ' '.repeat(15);
  const lines = [
    `${incident.severity.toUpperCase()}  ${incident.title}`,
    `  ${incident.id} · confidence ${incident.confidence.toFixed(2)} · ${clock(incident.firstSeen)} → ${clock(incident.lastSeen)}`,
    `  ${incident.explanation}`,
    '',
  ];
  const where = [
    workload.cluster && `cluster ${workload.cluster}`,
    workload.namespace && `namespace ${workload.namespace}${workload.namespaceCriticality ? ` (${workload.namespaceCriticality})` : ''}`,
    workload.pod && `pod ${workload.pod}`,
  ].filter(Boolean);
  const what = [
    workload.owner && `owner ${workload.owner}`,
    workload.serviceAccount && `service account ${workload.serviceAccount}`,
    workload.node && `node ${workload.node}`,
  ].filter(Boolean);
  if (where.length > 0) lines.push(`${label('Workload')}${where.join(' · ')}`);
  if (what.length > 0) lines.push(`${indent}${what.join(' · ')}`);
  if (workload.image) lines.push(`${indent}image ${workload.image}${workload.imageDigest ? ` (${workload.imageDigest})` : ''}`);
  incident.identities.forEach((identity, index) => {
    lines.push(`${index === 0 ? label('Identity') : indent}role ${identity.roleArn} via ${identity.via}`);
    if (identity.sessions.length > 0) lines.push(`${indent}  sessions ${identity.sessions.join(', ')}`);
    if (identity.accessKeyIds.length > 0) lines.push(`${indent}  access keys ${identity.accessKeyIds.join(', ')}`);
    if (identity.sourceIps.length > 0) {
      const ips = identity.sourceIps.map((ip) => (identity.unusualSourceIps.includes(ip) ? `${ip} (outside egress)` : ip));
      lines.push(`${indent}  used from ${ips.join(', ')}`);
    }
  });
  incident.objectives.forEach((objective, index) => {
    lines.push(`${index === 0 ? label('Objectives') : indent}${objective.tactic}: ${objective.technique}`);
  });
  incident.whatChanged.forEach((change, index) => {
    lines.push(`${index === 0 ? label('What changed') : indent}${clock(change.time)}  ${change.description}`);
  });
  incident.newBehaviour.forEach((fact, index) => {
    lines.push(`${index === 0 ? label('First seen') : indent}${fact}`);
  });
  incident.signals.forEach((signal, index) => {
    lines.push(`${index === 0 ? label('Timeline') : indent}${clock(signal.time)}  ${signal.source.padEnd(10)} ${signal.severity.padEnd(8)} ${signal.summary}`);
  });
  const radius = incident.blastRadius;
  const reach = [
    radius.sameServiceAccountPods.length > 0 && `same service account: ${radius.sameServiceAccountPods.join(', ')}`,
    radius.sameImagePods.length > 0 && `same image: ${radius.sameImagePods.join(', ')}`,
    radius.podsOnNode.length > 0 && `on the node: ${radius.podsOnNode.map((entry) => `${entry.pod} (${entry.reason})`).join(', ')}`,
    ...radius.notes,
  ].filter((entry): entry is string => Boolean(entry));
  reach.forEach((entry, index) => lines.push(`${index === 0 ? label('Blast radius') : indent}${entry}`));
  const plan = (actions: Incident['plan']['automatic']) => actions.map((entry) => `${entry.action} ${entry.target}`);
  plan(incident.plan.automatic).forEach((entry, index) => lines.push(`${index === 0 ? label('Will do') : indent}${entry}`));
  plan(incident.plan.approval).forEach((entry, index) => lines.push(`${index === 0 ? label('Asks first') : indent}${entry}`));
  if (incident.suppressedSignals > 0) lines.push(`${label('Suppressed')}${incident.suppressedSignals} signal(s) matched a suppression`);
  return lines;
}

/** "2026-11-21 02:13:04Z": sortable, unambiguous, short. */
function clock(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
