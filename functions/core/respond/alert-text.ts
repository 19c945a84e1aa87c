import type { IncidentChange } from '#core/store/store';
import { type IncidentView, type StepView, incidentView } from '#core/view/incident-view';
import type { ImageView } from '#core/view/image-view';
import { NOTHING, asciiLine, capped, clipText, clock, commaList, listEnds, plural, printable, utc } from '#core/view/words';

// The alert publisher clips what it sends with the same marker.

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

/** An email subject: printable ASCII on one line, short enough for SNS. */
export function subjectLine(text: string): string {
  return asciiLine(text, SUBJECT_MAX_CHARS);
}

/**
 * The alert a person reads on a phone: what happened, where, to what, how sure and why, what
 * pivotguard plans, what is at risk, and how to approve or dismiss. Pure: same change, same text.
 */
export function alertText(change: IncidentChange, options: AlertTextOptions = {}): AlertText {
  const view = incidentView(change.incident);
  const { id, risk } = view;
  const severity = risk.severity.toUpperCase();
  const escalated = change.change === 'escalated';
  const subject = subjectLine(
    escalated
      ? `[pivotguard] ${severity} (was ${(change.previousSeverity ?? 'lower').toUpperCase()}): ${view.headline}`
      : `[pivotguard] ${severity}: ${view.headline}`,
  );
  const out = new Lines();

  out.line(
    escalated ? `Incident ${id} escalated from ${change.previousSeverity ?? 'a lower severity'} to ${risk.severity}.` : `New ${risk.severity} incident ${id}.`,
  );
  out.section('WHAT HAPPENED');
  out.line(view.headline);
  out.line(`Severity: ${risk.severity}. Confidence: ${risk.confidenceText}.`);
  out.line(view.explanation);
  out.line(`Seen ${utc(view.seen.from)} to ${view.seen.sameDay ? `${clock(view.seen.to, true)} UTC` : utc(view.seen.to)}.`);

  out.section('WHERE');
  for (const field of view.where.fields) out.field(field.label, field.value);
  if (view.where.fields.length === 0) out.line(NOTHING.workload);

  out.section('CLOUD IDENTITY');
  if (view.identities.length === 0) out.line(NOTHING.role);
  for (const identity of view.identities.slice(0, LIST_MAX)) {
    // The ARN names the account; its alias, or which of several accounts, is worth a word more.
    const account = identity.account && (identity.account.alias || view.accounts.length > 1) ? `account ${identity.account.text}, ` : '';
    out.field('Role', `${identity.roleArn} (${account}via ${identity.via.label})`);
    out.field('Sessions', commaList(identity.sessions, LIST_MAX));
    out.field('Access keys', commaList(identity.accessKeyIds, LIST_MAX));
    out.field('Used from outside the cluster', commaList(identity.outsideIps, LIST_MAX));
    out.field('Also used from', commaList(identity.otherIps, LIST_MAX));
    for (const reason of identity.egressReasons.slice(0, LIST_MAX)) out.field('The cluster’s because', reason);
  }
  if (view.identities.length > LIST_MAX) out.line(`and ${view.identities.length - LIST_MAX} more roles`);

  if (view.image) imageSection(out, view.image);

  out.section('HOW SURE, AND WHY');
  out.line(`Confidence ${risk.confidenceText}, from ${plural(view.timeline.length, 'signal')} (${view.sources.map((source) => source.label).join(', ')}).`);
  if (view.image) out.line(view.image.sentence);
  if (view.objectives.length > 0) {
    out.line('Suspected objective:');
    for (const objective of view.objectives) out.bullet(`${objective.tactic}: ${objective.technique}`);
  }
  out.line('Timeline (UTC):');
  for (const entry of timeline(view)) out.bullet(entry);
  if (view.newBehaviour.length > 0) {
    out.line('Never seen before:');
    for (const fact of capped(view.newBehaviour, LIST_MAX)) out.bullet(fact);
  }
  if (view.whatChanged.length > 0) {
    out.line('Changed recently:');
    for (const entry of capped(
      view.whatChanged.map((item) => `${utc(item.time)}: ${item.description}`),
      LIST_MAX,
    ))
      out.bullet(entry);
  }
  if (view.suppressedSignals > 0)
    out.line(`${plural(view.suppressedSignals, 'more signal')} matched a suppression and ${view.suppressedSignals === 1 ? 'was' : 'were'} left out.`);

  out.section('PLANNED RESPONSE');
  out.line('Automatic steps (reversible, scoped to this pod or role):');
  if (view.plan.automatic.length === 0) out.bullet('none');
  for (const step of capped(view.plan.automatic.map(describeStep), PLAN_MAX)) out.bullet(step);
  out.line('Steps that wait for your approval:');
  if (view.plan.approval.length === 0) out.bullet('none');
  for (const step of capped(view.plan.approval.map(describeStep), PLAN_MAX)) out.bullet(step);

  out.section('WHAT IS AT RISK');
  const radius = risk.blastRadius;
  for (const role of radius.roles.slice(0, LIST_MAX)) {
    out.line(`Role ${role.roleName} may use these policies:`);
    if (role.policies.length === 0) out.bullet('none attached');
    for (const policy of capped(role.policies, LIST_MAX)) out.bullet(policy);
  }
  if (radius.roles.length > LIST_MAX) out.line(`and ${radius.roles.length - LIST_MAX} more roles`);
  out.field('Pods with the same service account', commaList(radius.sameServiceAccountPods, LIST_MAX));
  out.field('Pods with the same image', commaList(radius.sameImagePods, LIST_MAX));
  out.field(
    'Pods on the node',
    commaList(
      radius.podsOnNode.map((entry) => `${entry.pod} (${entry.reason})`),
      LIST_MAX,
    ),
  );
  for (const note of capped(radius.notes, LIST_MAX)) out.line(note);
  if (radius.empty) out.line(NOTHING.reach);

  out.section(WHAT_TO_DO);
  if (options.approveHint) {
    out.line(printable(options.approveHint));
  } else {
    out.line('Approve the waiting steps:');
    out.command(`pivotguard approve ${id}`);
    out.line('Dismiss this incident (false positive):');
    out.command(`pivotguard reject ${id}`);
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
  const cut = (count: number) => `... ${plural(count, 'more line')} cut: the alert was longer than an email may be.`;
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

class Lines {
  private readonly lines: string[] = [];

  line(text: string): void {
    this.lines.push(...wrap(clipText(text, ENTRY_MAX_CHARS), '', ''));
  }

  blank(): void {
    this.lines.push('');
  }

  section(title: string): void {
    this.blank();
    this.lines.push(title);
  }

  field(label: string, value: string | null | undefined): void {
    if (value) this.lines.push(...wrap(clipText(`${label}: ${value}`, ENTRY_MAX_CHARS), '', '  '));
  }

  bullet(text: string): void {
    this.lines.push(...wrap(clipText(text, ENTRY_MAX_CHARS), '- ', '  '));
  }

  /** A command to copy: indented, never wrapped. */
  command(text: string): void {
    this.lines.push(`  ${text}`);
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

/** A long timeline shows its first and last signals, and how many are between them. */
function timeline(view: IncidentView): string[] {
  const line = (entry: IncidentView['timeline'][number]) =>
    `${clock(entry.time, view.seen.sameDay)} ${entry.source.label} (${entry.severity}): ${entry.summary}`;
  const { head, hidden, tail } = listEnds(view.timeline, TIMELINE_HEAD, TIMELINE_TAIL);
  return [...head.map(line), ...(hidden > 0 ? [`... ${plural(hidden, 'more signal')} ...`] : []), ...tail.map(line)];
}

/** The image behind the incident: what is wrong with it and since when, where else it runs, what admission said. */
function imageSection(out: Lines, image: ImageView): void {
  out.section('IMAGE');
  out.field('Repository', image.repository);
  if (image.timeline) out.line(image.timeline);
  if (!image.scanned) out.line(image.sentence);
  else if (image.vulnerabilities.length === 0) out.line('Scanned: no vulnerability found.');
  else {
    out.line('Vulnerabilities, what this attack could use first:');
    for (const vulnerability of capped(
      image.vulnerabilities.map((entry) => entry.line),
      LIST_MAX,
    ))
      out.bullet(vulnerability);
    if (image.more) out.line(`Not listed: ${image.more}.`);
  }
  out.field(
    'Also runs in',
    commaList(
      image.runsElsewhere.map((entry) => entry.text),
      LIST_MAX,
    ),
  );
  out.field('Same vulnerable package in', commaList(image.samePackageDigests, LIST_MAX));
  out.field('Admission', image.admission.sentence);
}

function describeStep(step: StepView): string {
  return `${step.action.label}: ${step.target}${step.dryRun ? ' (dry run)' : ''}. Why: ${step.reason}.`;
}
