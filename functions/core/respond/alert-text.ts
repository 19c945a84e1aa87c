import type { Incident, PlannedAction } from '#core/model/incident';
import type { IncidentChange } from '#core/store/store';
import { ACTION_LABELS } from './action-labels.ts';

export interface AlertText {
  /** For an email subject line: ASCII, one line, at most SUBJECT_MAX_CHARS. */
  subject: string;
  /** Plain text for a phone screen: short lines, no tables. */
  body: string;
}

export interface AlertTextOptions {
  /** How to approve, once the containment workflow provides a link; replaces the CLI hint. */
  approveHint?: string;
}

/** SNS takes subjects of fewer than 100 characters. */
export const SUBJECT_MAX_CHARS = 99;
/** Lines are wrapped here: a phone mail client shows about this many without scrolling. */
const LINE_WIDTH = 72;
/** A word longer than this (a URL, an ARN) is split rather than overflow. */
const LONG_WORD = 100;
/** Lists longer than this are cut with "and N more": the alert points, the console details. */
const LIST_MAX = 5;
/** Containment steps are listed further: the person approving should see most of what they approve. */
const PLAN_MAX = 20;
/** One line, field or bullet quotes at most this much: a signal summary, a name, never a whole record. */
const ENTRY_MAX_CHARS = 600;
/** SNS takes messages of up to 256 KB, attributes included: the body keeps a margin for them. */
export const BODY_MAX_BYTES = 256 * 1024 - 2048;
const WHAT_TO_DO = 'WHAT TO DO';
const TIMELINE_HEAD = 8;
const TIMELINE_TAIL = 4;


const SOURCE_LABEL: Record<string, string> = { 'eks-audit': 'EKS audit', cloudtrail: 'CloudTrail', guardduty: 'GuardDuty' };

/**
 * The alert a person reads on a phone: what happened, where, to what, how sure and why, what
 * pivotguard plans, what is at risk, and how to approve or dismiss. Pure: same change, same text.
 */
export function alertText(change: IncidentChange, options: AlertTextOptions = {}): AlertText {
  const { incident } = change;
  const severity = incident.severity.toUpperCase();
  const escalated = change.change === 'escalated';
  const subject = subjectLine(
    escalated
      ? `[pivotguard] ${severity} (was ${(change.previousSeverity ?? 'lower').toUpperCase()}): ${incident.title}`
      : `[pivotguard] ${severity}: ${incident.title}`,
  );
  const out = new Lines();

  out.line(
    escalated
      ? `Incident ${incident.id} escalated from ${change.previousSeverity ?? 'a lower severity'} to ${incident.severity}.`
      : `New ${incident.severity} incident ${incident.id}.`,
  );
  out.section('WHAT HAPPENED');
  out.line(incident.title);
  out.line(`Severity: ${incident.severity}. Confidence: ${percent(incident.confidence)}.`);
  out.line(incident.explanation);
  const sameDay = incident.firstSeen.slice(0, 10) === incident.lastSeen.slice(0, 10);
  out.line(`Seen ${when(incident.firstSeen)} to ${sameDay ? `${incident.lastSeen.slice(11, 19)} UTC` : when(incident.lastSeen)}.`);

  out.section('WHERE');
  const { workload } = incident;
  out.field('Cluster', workload.cluster);
  out.field('Namespace', workload.namespace && (workload.namespaceCriticality ? `${workload.namespace} (${workload.namespaceCriticality})` : workload.namespace));
  out.field('Pod', workload.pod);
  out.field('Owner', workload.owner);
  out.field('Service account', workload.serviceAccount);
  out.field('Node', workload.node);
  out.field('Image', workload.image);
  out.field('Image digest', workload.imageDigest);
  if (!Object.values(workload).some(Boolean)) out.line('No Kubernetes workload is linked to this incident.');

  out.section('CLOUD IDENTITY');
  if (incident.identities.length === 0) out.line('No IAM role is linked to this incident.');
  for (const identity of incident.identities.slice(0, LIST_MAX)) {
    out.field('Role', `${identity.roleArn} (via ${viaLabel(identity.via)})`);
    out.field('Sessions', list(identity.sessions));
    out.field('Access keys', list(identity.accessKeyIds));
    out.field('Used from outside the cluster', list(identity.unusualSourceIps));
    out.field('Also used from', list(identity.sourceIps.filter((ip) => !identity.unusualSourceIps.includes(ip))));
  }
  if (incident.identities.length > LIST_MAX) out.line(`and ${incident.identities.length - LIST_MAX} more roles`);

  out.section('HOW SURE, AND WHY');
  out.line(`Confidence ${percent(incident.confidence)}, from ${signalCount(incident)}.`);
  if (incident.objectives.length > 0) {
    out.line('Suspected objective:');
    for (const objective of incident.objectives) out.bullet(`${objective.tactic}: ${objective.technique}`);
  }
  out.line('Timeline (UTC):');
  for (const entry of timeline(incident)) out.bullet(entry);
  if (incident.newBehaviour.length > 0) {
    out.line('Never seen before:');
    for (const fact of capped(incident.newBehaviour)) out.bullet(fact);
  }
  if (incident.whatChanged.length > 0) {
    out.line('Changed recently:');
    for (const entry of capped(incident.whatChanged.map((item) => `${when(item.time)}: ${item.description}`))) out.bullet(entry);
  }
  if (incident.suppressedSignals > 0) out.line(`${incident.suppressedSignals} more signal(s) matched a suppression and were left out.`);

  out.section('PLANNED RESPONSE');
  out.line('Automatic steps (reversible, scoped to this pod or role):');
  if (incident.plan.automatic.length === 0) out.bullet('none');
  for (const step of capped(incident.plan.automatic.map(describeAction), PLAN_MAX)) out.bullet(step);
  out.line('Steps that wait for your approval:');
  if (incident.plan.approval.length === 0) out.bullet('none');
  for (const step of capped(incident.plan.approval.map(describeAction), PLAN_MAX)) out.bullet(step);

  out.section('WHAT IS AT RISK');
  const radius = incident.blastRadius;
  for (const role of radius.rolePermissions.slice(0, LIST_MAX)) {
    out.line(`Role ${roleName(role.roleArn)} may use these policies:`);
    if (role.policies.length === 0) out.bullet('none attached');
    for (const policy of capped(role.policies)) out.bullet(policy);
  }
  if (radius.rolePermissions.length > LIST_MAX) out.line(`and ${radius.rolePermissions.length - LIST_MAX} more roles`);
  out.field('Pods with the same service account', list(radius.sameServiceAccountPods));
  out.field('Pods with the same image', list(radius.sameImagePods));
  out.field('Pods on the node', list(radius.podsOnNode.map((entry) => `${entry.pod} (${entry.reason})`)));
  for (const note of capped(radius.notes)) out.line(note);
  if (!hasRisk(incident)) out.line('Nothing beyond the workload itself is known to be reachable.');

  out.section(WHAT_TO_DO);
  if (options.approveHint) {
    out.line(options.approveHint);
  } else {
    out.line('Approve the waiting steps:');
    out.command(`pivotguard approve ${incident.id}`);
    out.line('Dismiss this incident (false positive):');
    out.command(`pivotguard reject ${incident.id}`);
    out.line('Approval links will arrive in this alert with the containment workflow.');
  }
  return { subject, body: bodyWithin(out.text()) };
}

/**
 * A body SNS takes: within `maxBytes` of UTF-8. Entries are already clipped, so only an incident
 * with very many of them gets here; whole lines are dropped before the last section, which says
 * what to do, and a line says how many.
 */
export function bodyWithin(body: string, maxBytes: number = BODY_MAX_BYTES): string {
  if (Buffer.byteLength(body, 'utf8') <= maxBytes) return body;
  const lines = body.replace(/\n$/, '').split('\n');
  const last = lines.lastIndexOf(WHAT_TO_DO);
  // From the blank line before that section; kept unless it is itself most of the body.
  const tail = last > 0 && byteLines(lines.slice(last - 1)) <= maxBytes / 2 ? lines.slice(last - 1) : [];
  const head = lines.slice(0, lines.length - tail.length);
  const cut = (count: number) => `... ${count} more line${count === 1 ? '' : 's'} cut: the alert was longer than an email may be.`;
  let budget = maxBytes - byteLines(tail) - byteLines([cut(head.length)]);
  let kept = 0;
  for (const line of head) {
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (size > budget) break;
    budget -= size;
    kept++;
  }
  return `${[...head.slice(0, kept), cut(head.length - kept), ...tail].join('\n')}\n`;
}

/** Bytes of lines joined by newlines, with one for each line's newline. */
function byteLines(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);
}

/** The head of a long text and how much was left out; never splits a surrogate pair. */
export function clipText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const end = /[\ud800-\udbff]/.test(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** An email subject: printable ASCII on one line, short enough for SNS. */
export function subjectLine(text: string): string {
  const ascii = printable(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')
    .replace(/→/g, '->')
    .replace(/[^\x20-\x7e]/g, '?');
  if (ascii.length <= SUBJECT_MAX_CHARS) return ascii;
  const cut = ascii.slice(0, SUBJECT_MAX_CHARS - 3);
  // Cut at a word when one ends reasonably late; a subject of one long word is cut anywhere.
  const space = cut.lastIndexOf(' ');
  return `${(space > SUBJECT_MAX_CHARS * 0.6 ? cut.slice(0, space) : cut).trimEnd()}...`;
}

/**
 * Removes what a terminal or mail client would interpret rather than show: control characters,
 * zero-width and bidirectional overrides (which can make text read differently than it is).
 */
export function printable(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

class Lines {
  private readonly lines: string[] = [];

  line(text: string): void {
    this.lines.push(...wrap(clipText(printable(text), ENTRY_MAX_CHARS), '', ''));
  }

  blank(): void {
    this.lines.push('');
  }

  section(title: string): void {
    this.blank();
    this.lines.push(title);
  }

  field(label: string, value: string | null | undefined): void {
    if (value) this.lines.push(...wrap(clipText(printable(`${label}: ${value}`), ENTRY_MAX_CHARS), '', '  '));
  }

  bullet(text: string): void {
    this.lines.push(...wrap(clipText(printable(text), ENTRY_MAX_CHARS), '- ', '  '));
  }

  /** A command to copy: indented, never wrapped. */
  command(text: string): void {
    this.lines.push(`  ${printable(text)}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Word-wraps to LINE_WIDTH; `first` prefixes the first line, `rest` the continuation lines. */
function wrap(text: string, first: string, rest: string): string[] {
  const lines: string[] = [];
  let current = first;
  let empty = true;
  const words = text.split(' ').flatMap((word) => chunks(word, LONG_WORD - rest.length));
  for (const word of words) {
    if (!empty && current.length + 1 + word.length > LINE_WIDTH) {
      lines.push(current);
      current = rest + word;
    } else {
      current += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}

function chunks(word: string, size: number): string[] {
  if (word.length <= size) return [word];
  const parts: string[] = [];
  for (let index = 0; index < word.length; index += size) parts.push(word.slice(index, index + size));
  return parts;
}

function list(items: readonly string[]): string | undefined {
  if (items.length === 0) return undefined;
  return capped(items).join(', ');
}

function capped(items: readonly string[], max: number = LIST_MAX): string[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, max), `and ${items.length - max} more`];
}

function timeline(incident: Incident): string[] {
  const sameDay = incident.firstSeen.slice(0, 10) === incident.lastSeen.slice(0, 10);
  const line = (signal: Incident['signals'][number]) =>
    `${clock(signal.time, sameDay)} ${SOURCE_LABEL[signal.source] ?? signal.source} (${signal.severity}): ${signal.summary}`;
  const { signals } = incident;
  if (signals.length <= TIMELINE_HEAD + TIMELINE_TAIL) return signals.map(line);
  const skipped = signals.length - TIMELINE_HEAD - TIMELINE_TAIL;
  return [...signals.slice(0, TIMELINE_HEAD).map(line), `... ${skipped} more signals ...`, ...signals.slice(-TIMELINE_TAIL).map(line)];
}

function signalCount(incident: Incident): string {
  const sources = [...new Set(incident.signals.map((signal) => SOURCE_LABEL[signal.source] ?? signal.source))];
  const count = incident.signals.length;
  return `${count} signal${count === 1 ? '' : 's'} (${sources.join(', ')})`;
}

function describeAction(action: PlannedAction): string {
  return `${ACTION_LABELS[action.action] ?? action.action}: ${action.target}. Why: ${action.reason}.`;
}

function hasRisk(incident: Incident): boolean {
  const radius = incident.blastRadius;
  return (
    radius.rolePermissions.length + radius.sameServiceAccountPods.length + radius.sameImagePods.length + radius.podsOnNode.length + radius.notes.length >
    0
  );
}

function viaLabel(via: string): string {
  const labels: Record<string, string> = { irsa: 'IRSA', 'pod-identity': 'EKS Pod Identity', 'instance-role': 'the node instance role', observed: 'observed use' };
  return labels[via] ?? via;
}

function roleName(roleArn: string): string {
  return roleArn.split('/').pop() ?? roleArn;
}

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

/** "2026-11-21 02:13:04 UTC" */
function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** "02:13:04", or "11-21 02:13:04" when the incident spans more than one day. */
function clock(iso: string, sameDay: boolean): string {
  return sameDay ? iso.slice(11, 19) : `${iso.slice(5, 10)} ${iso.slice(11, 19)}`;
}
