import type { Incident } from '#core/model/incident';
import { type IncidentView, type WhereKey, incidentView } from '#core/view/incident-view';
import { commaList, ellipsize, listEnds, plural, zulu } from '#core/view/words';
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

/** The readable summary a person reads in a terminal: one block per incident. */
export function renderReplay(result: ReplayResult, options: RenderOptions): Printable[] {
  const { stats } = result;
  const lines: Printable[] = [
    `pivotguard replay: ${plural(stats.events, 'record')} from ${plural(stats.files, 'file')} ` +
      `(${stats.eventsBySource['eks-audit']} EKS audit, ${stats.eventsBySource.cloudtrail} CloudTrail, ${stats.eventsBySource.guardduty} GuardDuty` +
      `${stats.eventsBySource.inspector > 0 ? `, ${stats.eventsBySource.inspector} image scan` : ''}), ` +
      `${stats.signals} signals, ${plural(stats.incidents, 'incident')}, ${stats.rejected} rejected`,
  ];
  if (stats.suppressedSignals > 0) lines.push(`${plural(stats.suppressedSignals, 'signal')} suppressed by configuration (see --json)`);
  for (const incident of result.incidents) lines.push('', ...renderIncident(incident, options));
  if (result.rejected.length > 0) {
    lines.push('', `Rejected records (${result.rejected.length}; all of them are in --json):`);
    for (const rejected of result.rejected.slice(0, 10))
      lines.push({ text: `  ${safe(rejected.file)} ${safe(rejected.record)}: ${safe(rejected.reason)}`, hang: 4 });
    if (result.rejected.length > 10) lines.push(`  … and ${result.rejected.length - 10} more`);
  }
  return lines;
}

export function renderIncident(incident: Incident, options: RenderOptions): Printable[] {
  return renderIncidentView(incidentView(incident), options);
}

/** Codes as --json and the commands spell them (sources, severities, actions), values cut to a terminal's measure. */
function renderIncidentView(view: IncidentView, { full }: RenderOptions): Printable[] {
  const label = (name: string) => `  ${name.padEnd(TEXT_COLUMN - 2)}`;
  const indent = ' '.repeat(TEXT_COLUMN);
  const labelled = (name: string, entries: readonly string[], hang = TEXT_COLUMN): Printable[] =>
    entries.map((entry, index) => ({ text: `${index === 0 ? label(name) : indent}${entry}`, hang }));
  const cut = (text: string, max = VALUE_CHARACTERS) => ellipsize(text, max);
  const names = (items: readonly string[]) =>
    commaList(
      items.map((item) => cut(item)),
      full ? undefined : LISTED,
    );
  const lines: Printable[] = [
    { text: `${view.risk.severity.toUpperCase()}  ${cut(view.headline)}`, hang: 2 },
    `  ${view.id} · confidence ${view.risk.confidenceText} · ${zulu(view.seen.from)} → ${zulu(view.seen.to)}`,
    { text: `  ${cut(view.explanation, 2 * VALUE_CHARACTERS)}`, hang: 2 },
    '',
  ];
  // One line for where the pod runs, one for what it is, one for its image.
  const fields = new Map(view.where.fields.map((field) => [field.key, `${field.label.toLowerCase()} ${cut(field.value)}`]));
  const line = (...keys: WhereKey[]) => keys.flatMap((key) => fields.get(key) ?? []).join(' · ');
  const image = view.where.image ? `image ${cut(view.where.image)}${view.where.imageDigest ? ` (${cut(view.where.imageDigest)})` : ''}` : '';
  lines.push(...labelled('Workload', [line('accounts', 'cluster', 'namespace', 'pod'), line('owner', 'serviceAccount', 'node'), image].filter(Boolean)));
  if (view.image) {
    // The root cause in the image: its worst findings first, when it was rolled out, where else it runs, what admission said.
    const found = view.image;
    lines.push(
      ...labelled(
        'Image',
        [
          cut(found.sentence, 2 * VALUE_CHARACTERS),
          found.timeline && cut(found.timeline, 2 * VALUE_CHARACTERS),
          ...found.vulnerabilities.slice(0, 3).map((vulnerability) => cut(vulnerability.line)),
          found.runsElsewhere.length > 0 && `also runs in ${names(found.runsElsewhere.map((where) => where.text))}`,
          cut(found.admission.sentence),
        ].filter((entry): entry is string => Boolean(entry)),
      ),
    );
  }
  view.identities.forEach((identity, index) => {
    lines.push({ text: `${index === 0 ? label('Identity') : indent}role ${cut(identity.roleArn)} via ${identity.via.code}`, hang: TEXT_COLUMN });
    const nested = (text: string) => ({ text: `${indent}  ${text}`, hang: TEXT_COLUMN + 4 });
    if (identity.sessions.length > 0) lines.push(nested(`sessions ${names(identity.sessions)}`));
    if (identity.accessKeyIds.length > 0) lines.push(nested(`access keys ${names(identity.accessKeyIds)}`));
    if (identity.sourceIps.length > 0)
      lines.push(nested(`used from ${names(identity.sourceIps.map(({ ip, outside }) => (outside ? `${ip} (outside egress)` : ip)))}`));
  });
  lines.push(
    ...labelled(
      'Objectives',
      view.objectives.map((objective) => `${objective.tactic}: ${objective.technique}`),
    ),
  );
  lines.push(
    ...labelled(
      'What changed',
      view.whatChanged.map((change) => `${zulu(change.time)}  ${cut(change.description)}`),
      TIMELINE_COLUMN,
    ),
  );
  lines.push(
    ...labelled(
      'First seen',
      view.newBehaviour.map((fact) => cut(fact)),
    ),
  );
  const timeline = view.timeline.map((entry) => `${zulu(entry.time)}  ${entry.source.code.padEnd(10)} ${entry.severity.padEnd(8)} ${cut(entry.summary)}`);
  lines.push(...labelled('Timeline', full ? timeline : summarized(timeline), TIMELINE_COLUMN));
  const radius = view.risk.blastRadius;
  const reach = [
    radius.sameServiceAccountPods.length > 0 && `same service account: ${names(radius.sameServiceAccountPods)}`,
    radius.sameImagePods.length > 0 && `same image: ${names(radius.sameImagePods)}`,
    radius.podsOnNode.length > 0 && `on the node: ${names(radius.podsOnNode.map((entry) => `${entry.pod} (${entry.reason})`))}`,
    ...radius.notes.map((note) => cut(note)),
  ].filter((entry): entry is string => Boolean(entry));
  lines.push(...labelled('Blast radius', reach));
  const plan = (steps: IncidentView['plan']['automatic']) => steps.map((step) => `${step.action.code} ${cut(step.target)}`);
  lines.push(...labelled('Will do', plan(view.plan.automatic)));
  lines.push(...labelled('Asks first', plan(view.plan.approval)));
  if (view.suppressedSignals > 0) lines.push(`${label('Suppressed')}${plural(view.suppressedSignals, 'signal')} matched a suppression`);
  return lines;
}

/** The first and last entries of a long timeline, and how many are between them. */
function summarized(entries: readonly string[]): string[] {
  // Leaving out one or two entries would save no line.
  if (entries.length <= 2 * TIMELINE_ENDS + 2) return [...entries];
  const { head, hidden, tail } = listEnds(entries, TIMELINE_ENDS, TIMELINE_ENDS);
  return [...head, `… ${hidden} more entries (--full shows every one)`, ...tail];
}

function safe(text: string): string {
  return terminalSafe(text, VALUE_CHARACTERS);
}
