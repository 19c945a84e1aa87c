/**
 * The vocabulary every rendering of an incident shares: how text is made safe to show, cut,
 * counted, listed and timed, and the names of sources, identities and statuses. Records quote
 * what attackers typed, so sanitizing and truncation happen here and nowhere else.
 */
import type { IncidentStatus } from '#core/respond/response';

// CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC (ESC P|X|^|_ … ST), and two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[ -~]?)/g;
// The 8-bit forms of the same introducers, with what they carry up to their terminator.
// eslint-disable-next-line no-control-regex
const C1_SEQUENCE = /\u009b[0-?]*[ -/]*[@-~]?|[\u009d\u0090\u0098\u009e\u009f][^\u0007\u009c\u001b]*(?:\u0007|\u009c)?/g;
// Any other control character (newlines included: one value never becomes two lines).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// Bidi overrides, embeddings and isolates, marks, and zero-width characters: they make one name read as another.
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * Removes what a terminal or mail client would interpret rather than show: escape sequences
 * (which move the cursor, recolour or retitle a terminal), control characters (as spaces) and
 * invisible or bidirectional characters (which make text read differently than it is). Spacing
 * is kept, so a line's indent survives.
 */
export function sanitize(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(C1_SEQUENCE, '').replace(CONTROL, ' ').replace(INVISIBLE, '');
}

// Any character sanitize would change; most text has none, and records can quote megabytes.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** A message of several lines, each sanitized: attacker text in one line cannot forge another or hide itself. */
export function printableLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => sanitize(line).trimEnd())
    .join('\n');
}

/** One clean line: sanitized, runs of spaces made one, no space at either end. */
export function printable(text: string): string {
  if (!UNSAFE.test(text) && !text.includes('  ') && !text.startsWith(' ') && !text.endsWith(' ')) return text;
  return sanitize(text).replace(/ {2,}/g, ' ').trim();
}

/** At most `max` characters, the last of them an ellipsis when text was cut; cut by code point, so no surrogate pair is split. */
export function ellipsize(text: string, max: number): string {
  if (text.length <= max) return text;
  const characters = Array.from(text);
  return characters.length > max ? `${characters.slice(0, Math.max(0, max - 1)).join('')}…` : text;
}

/** The head of a long text and how much was left out; never splits a surrogate pair. */
export function clipText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const end = /[\ud800-\udbff]/.test(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** Printable ASCII on one line, at most `maxChars`, cut at a word with "..." (an email subject). */
export function asciiLine(text: string, maxChars: number): string {
  const ascii = printable(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/…/g, '...')
    .replace(/→/g, '->')
    .replace(/[^\x20-\x7e]/g, '?');
  if (ascii.length <= maxChars) return ascii;
  const cut = ascii.slice(0, maxChars - 3);
  // Cut at a word when one ends reasonably late; a line of one long word is cut anywhere.
  const space = cut.lastIndexOf(' ');
  return `${(space > maxChars * 0.6 ? cut.slice(0, space) : cut).trimEnd()}...`;
}

/** "1 signal", "3 signals". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "a, b and c" */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The first `max` items, then one saying how many more there are. */
export function capped(items: readonly string[], max: number): string[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, max), `and ${items.length - max} more`];
}

/** "a, b, c", or "a, b and 3 more" past `max`. */
export function commaList(items: readonly string[], max = Number.POSITIVE_INFINITY): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The ends of a long list and how many entries lie between them; short lists whole. */
export function listEnds<T>(items: readonly T[], head: number, tail: number): { head: T[]; hidden: number; tail: T[] } {
  if (items.length <= head + tail) return { head: [...items], hidden: 0, tail: [] };
  return { head: items.slice(0, head), hidden: items.length - head - tail, tail: items.slice(items.length - tail) };
}

/** A 0–1 confidence or rate as a whole percentage: "99%". */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** "2026-11-21 02:13:04 UTC" */
export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** "2026-11-21 02:13:04Z": sortable, unambiguous, short. */
export function zulu(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** "02:13:04", or "11-21 02:13:04" when what it belongs to spans more than one day. */
export function clock(iso: string, sameDay: boolean): string {
  return sameDay ? iso.slice(11, 19) : `${iso.slice(5, 10)} ${iso.slice(11, 19)}`;
}

/** The name of a role, without its path. */
export function roleName(roleArn: string): string {
  return roleArn.split('/').pop() || roleArn;
}

/** "Credential Access (TA0006)" → "Credential Access". */
export function tacticName(tactic: string): string {
  return tactic.replace(/\s*\(.*\)\s*$/, '');
}

export const SOURCE_LABELS: Record<string, string> = { 'eks-audit': 'EKS audit logs', cloudtrail: 'CloudTrail', guardduty: 'GuardDuty' };

export const VIA_LABELS: Record<string, string> = {
  irsa: 'IRSA',
  'pod-identity': 'EKS Pod Identity',
  'instance-role': 'the node instance role',
  observed: 'observed use',
};

export const STATUS_LABELS: Record<IncidentStatus, string> = {
  open: 'Open',
  contained: 'Contained',
  resolved: 'Resolved',
  'false-positive': 'Dismissed as a false positive',
};

/** A code and the words for it, side by side: renderers show the label, tests and machines read the code. */
export interface Labelled<Code extends string> {
  code: Code;
  label: string;
}

export function labelled<Code extends string>(code: Code, labels: Record<string, string>): Labelled<Code> {
  return { code, label: labels[code] ?? code };
}

/** What is said when the incident holds nothing for a part of it. */
export const NOTHING = {
  workload: 'No Kubernetes workload is linked to this incident.',
  role: 'No IAM role is linked to this incident.',
  reach: 'Nothing beyond the workload itself is known to be reachable.',
} as const;
