import type { Incident } from '#core/model/incident';
import type { ReplayResult } from '#adapters/local-replay';
import { type Printable, terminalSafe } from './terminal.ts';

export interface RenderOptions {
  /** Every timeline entry and every name; otherwise long lists are summarized. */
  full: boolean;
}

/** A long timeline shows this many entries from each end, and how many are between. */
const TIMELINE_ENDS = 3;
/** Lists of names (sessions, keys, addresses, pods) longer than this are cut, with a count. */
const LISTED = 10;
/** A name or a record's summary longer than this is cut: records quote what attackers typed. */
const VALUE_CHARACTERS = 300;

/** The label column of an incident block: continuation lines start under the text. */
const TEXT_COLUMN = 15;
/** A timeline entry wraps a little further in than its time, with room for a role session ARN. */
const TIMELINE_COLUMN = TEXT_COLUMN + 2;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The readable summary a person reads in a terminal: one block per incident. */
export function renderReplay(result: ReplayResult, options: RenderOptions): Printable[] {
  const { stats } = result;
  const lines: Printable[] = [
    `pivotguard replay: ${plural(stats.events, 'record')} from ${plural(stats.files, 'file')} ` +
      `(${stats.eventsBySource['eks-audit']} EKS audit, ${stats.eventsBySource.cloudtrail} CloudTrail, ${stats.eventsBySource.guardduty} GuardDuty), ` +
      `${stats.signals} signals, ${plural(stats.incidents, 'incident')}, ${stats.rejected} rejected`,
  ];
  if (stats.suppressedSignals > 0) lines.push(`${plural(stats.suppressedSignals, 'signal')} suppressed by configuration (see --json)`);
  for (const incident of result.incidents) lines.push('', ...renderIncident(incident, options));
  if (result.rejected.length > 0) {
    lines.push('', `Rejected records (${result.rejected.length}; all of them are in --json):`);
    for (const rejected of result.rejected.slice(0, 10)) lines.push({ text: `  ${safe(rejected.file)} ${safe(rejected.record)}: ${safe(rejected.reason)}`, hang: 4 });
    if (result.rejected.length > 10) lines.push(`  … and ${result.rejected.length - 10} more`);
  }
  return lines;
}

export function renderIncident(incident: Incident, { full }: RenderOptions): Printable[] {
  const { workload } = incident;
  const label = (name: string) => `  ${name.padEnd(TEXT_COLUMN - 2)}`;
  const indent = ' '.repeat(TEXT_COLUMN);
  const labelled = (name: string, entries: readonly string[], hang = TEXT_COLUMN): Printable[] =>
    entries.map((entry, index) => ({ text: `${index === 0 ? label(name) : indent}${entry}`, hang }));
  const names = (items: readonly string[]) => listed(items.map((item) => safe(item)), full);
  const lines: Printable[] = [
    { text: `${incident.severity.toUpperCase()}  ${safe(incident.title)}`, hang: 2 },
    `  ${incident.id} · confidence ${incident.confidence.toFixed(2)} · ${clock(incident.firstSeen)} → ${clock(incident.lastSeen)}`,
    { text: `  ${safe(incident.explanation, 2 * VALUE_CHARACTERS)}`, hang: 2 },
    '',
  ];
  const where = [
    workload.cluster && `cluster ${safe(workload.cluster)}`,
    workload.namespace && `namespace ${safe(workload.namespace)}${workload.namespaceCriticality ? ` (${workload.namespaceCriticality})` : ''}`,
    workload.pod && `pod ${safe(workload.pod)}`,
  ].filter((entry): entry is string => Boolean(entry));
  const what = [
    workload.owner && `owner ${safe(workload.owner)}`,
    workload.serviceAccount && `service account ${safe(workload.serviceAccount)}`,
    workload.node && `node ${safe(workload.node)}`,
  ].filter((entry): entry is string => Boolean(entry));
  const image = workload.image ? [`image ${safe(workload.image)}${workload.imageDigest ? ` (${safe(workload.imageDigest)})` : ''}`] : [];
  lines.push(...labelled('Workload', [where, what].filter((part) => part.length > 0).map((part) => part.join(' · ')).concat(image)));
  incident.identities.forEach((identity, index) => {
    lines.push({ text: `${index === 0 ? label('Identity') : indent}role ${safe(identity.roleArn)} via ${identity.via}`, hang: TEXT_COLUMN });
    const nested = (text: string) => ({ text: `${indent}  ${text}`, hang: TEXT_COLUMN + 4 });
    if (identity.sessions.length > 0) lines.push(nested(`sessions ${names(identity.sessions)}`));
    if (identity.accessKeyIds.length > 0) lines.push(nested(`access keys ${names(identity.accessKeyIds)}`));
    if (identity.sourceIps.length > 0) {
      const ips = identity.sourceIps.map((ip) => (identity.unusualSourceIps.includes(ip) ? `${ip} (outside egress)` : ip));
      lines.push(nested(`used from ${names(ips)}`));
    }
  });
  lines.push(...labelled('Objectives', incident.objectives.map((objective) => `${objective.tactic}: ${objective.technique}`)));
  lines.push(...labelled('What changed', incident.whatChanged.map((change) => `${clock(change.time)}  ${safe(change.description)}`), TIMELINE_COLUMN));
  lines.push(...labelled('First seen', incident.newBehaviour.map((fact) => safe(fact))));
  const timeline = incident.signals.map((signal) => `${clock(signal.time)}  ${signal.source.padEnd(10)} ${signal.severity.padEnd(8)} ${safe(signal.summary)}`);
  lines.push(...labelled('Timeline', full ? timeline : summarized(timeline), TIMELINE_COLUMN));
  const radius = incident.blastRadius;
  const reach = [
    radius.sameServiceAccountPods.length > 0 && `same service account: ${names(radius.sameServiceAccountPods)}`,
    radius.sameImagePods.length > 0 && `same image: ${names(radius.sameImagePods)}`,
    radius.podsOnNode.length > 0 && `on the node: ${listed(radius.podsOnNode.map((entry) => `${safe(entry.pod)} (${safe(entry.reason)})`), full)}`,
    ...radius.notes.map((note) => safe(note)),
  ].filter((entry): entry is string => Boolean(entry));
  lines.push(...labelled('Blast radius', reach));
  const plan = (actions: Incident['plan']['automatic']) => actions.map((entry) => `${entry.action} ${safe(entry.target)}`);
  lines.push(...labelled('Will do', plan(incident.plan.automatic)));
  lines.push(...labelled('Asks first', plan(incident.plan.approval)));
  if (incident.suppressedSignals > 0) lines.push(`${label('Suppressed')}${incident.suppressedSignals} signal(s) matched a suppression`);
  return lines;
}

/** The first and last entries of a long timeline, and how many are between them. */
function summarized(entries: readonly string[]): string[] {
  if (entries.length <= 2 * TIMELINE_ENDS + 2) return [...entries];
  const hidden = entries.length - 2 * TIMELINE_ENDS;
  return [...entries.slice(0, TIMELINE_ENDS), `… ${hidden} more entries (--full shows every one)`, ...entries.slice(-TIMELINE_ENDS)];
}

function listed(items: readonly string[], full: boolean): string {
  if (full || items.length <= LISTED) return items.join(', ');
  return `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

function safe(text: string, max = VALUE_CHARACTERS): string {
  return terminalSafe(text, max);
}

/** "2026-11-21 02:13:04Z": sortable, unambiguous, short. */
function clock(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
