import { readFileSync } from 'node:fs';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { detect } from '#core/detect/index';
import { type Severity, severityRank } from '#core/model/signal';
import { type Label, labelFor } from './labels.ts';
import { type Tally, count, emptyTally } from './score.ts';
import { answers, disputeOf, rulesFor, tableFamily } from './coverage.ts';
import { completeTestEvent } from './complete.ts';
import { tableFindings } from './guardduty-table.ts';

export type Outcome = 'TP' | 'FP' | 'FN' | 'TN';

export interface Judged {
  /** The corpus file, or TABLE for the findings built from the finding-type table. */
  file: string;
  line: number;
  source: string;
  label: Label;
  /** The rules that fired on the record, with the severity each gave. */
  fired: { rule: string; severity: Severity }[];
  /** Why the pipeline refused the record; a refused record flags nothing. */
  rejected?: string;
  /** Fields the eval filled in on a hand-made test event (complete.ts). */
  completed: string[];
  /** The rules that answer the label's question; undefined when its family is outside the pack. */
  expected?: string[];
  /** Why we believe the label is wrong, and the other family's label that settles it, if one does. */
  dispute?: { reason: string; settledBy?: string };
  /** The label tallied: the record's own, or the one that settled its dispute. */
  positive?: boolean;
  outcome?: Outcome;
  /** Why the record is not tallied. */
  untallied?: string;
}

export interface Evaluation {
  records: Judged[];
  bySource: Map<string, Tally>;
  byFamily: Map<string, Tally>;
  /** Per Stratus technique: did any of its records raise a signal? */
  techniques: Map<string, boolean>;
}

export const TABLE = 'guardduty/finding-type table (eval)';

/**
 * The strict evaluation: every record of the corpus, and a finding of every type in GuardDuty's
 * finding-type table with its sample and archived copies, run through normalize and detect. A
 * record whose family a rule claims is tallied as its label says, refused records included.
 */
export function evaluate(files: { source: string; path: string }[]): Evaluation {
  const corpus = files.flatMap(({ source, path }) => judgeFile(source, path));
  settle(corpus);
  const records = [...corpus.map(({ judged }) => judged), ...judgeTable()];
  const evaluation: Evaluation = { records, bySource: new Map(), byFamily: new Map(), techniques: new Map() };
  for (const judged of records) {
    if (judged.label.excluded && judged.file.endsWith('stratus-red-team_detonation-logs.jsonl')) {
      const technique = judged.label.family;
      evaluation.techniques.set(technique, (evaluation.techniques.get(technique) ?? false) || judged.fired.length > 0);
    }
    if (judged.positive === undefined) continue;
    const hit = flagged(judged);
    judged.outcome = judged.positive ? (hit ? 'TP' : 'FN') : hit ? 'FP' : 'TN';
    count(tallyOf(evaluation.bySource, judged.source), judged.positive, hit);
    count(tallyOf(evaluation.byFamily, `${judged.source} · ${judged.label.family}`), judged.positive, hit);
  }
  return evaluation;
}

/**
 * Whether the rules that answer the record's family flagged it. A GuardDuty finding is already a
 * detection: the question is whether pivotguard alerts on it, so its signal must be medium or
 * above (what opens an incident on its own); sample and archived findings are kept as low context.
 */
export function flagged(judged: Judged): boolean {
  const expected = judged.expected;
  if (!expected) return false;
  if (judged.source === 'guardduty') {
    return judged.fired.some((fired) => expected.includes(fired.rule) && severityRank[fired.severity] >= severityRank.medium);
  }
  return answers(
    expected,
    judged.fired.map((fired) => fired.rule),
  );
}

/** A corpus record's verdict and its event's content, for settling disputes. */
interface Read {
  judged: Judged;
  content: string;
}

function judgeFile(source: string, path: string): Read[] {
  const read: Read[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim().length === 0) return;
      const original = JSON.parse(text) as Record<string, unknown>;
      const label = labelFor(path, (original._expected ?? {}) as Record<string, unknown>);
      const { record, completed } = completeTestEvent(path, index + 1, original);
      const eventId = label.test ?? (typeof original.eventID === 'string' ? original.eventID : undefined);
      const reason = disputeOf(path, label.family, eventId);
      const judged: Judged = { ...run(source, path, index + 1, record, label), completed, dispute: reason ? { reason } : undefined };
      read.push({ judged, content: contentKey(original) });
    });
  return read;
}

function judgeTable(): Judged[] {
  return tableFindings().map(({ entry, variant, record }, index) => {
    const label: Label = { positive: variant === 'finding', family: tableFamily(entry.family), test: `${entry.type} (${variant})` };
    return { ...run('guardduty', TABLE, index + 1, record, label), completed: [] };
  });
}

function run(source: string, file: string, line: number, record: Record<string, unknown>, label: Label): Omit<Judged, 'completed'> {
  const out = emptyOutput();
  normalizeValue(record, line, { file, defaultCluster: 'corpus' }, out);
  const fired = new Map<string, Severity>();
  for (const event of out.events) {
    for (const signal of detect(event)) {
      const before = fired.get(signal.rule);
      if (!before || severityRank[signal.severity] > severityRank[before]) fired.set(signal.rule, signal.severity);
    }
  }
  const expected = rulesFor(label.family);
  return {
    file,
    line,
    source,
    label,
    fired: [...fired].map(([rule, severity]) => ({ rule, severity })),
    rejected: out.rejected[0]?.reason,
    expected,
    positive: label.positive !== undefined && expected ? label.positive : undefined,
    untallied: label.positive === undefined ? label.excluded : expected ? undefined : 'outside the pack: no rule claims this family',
  };
}

/**
 * A disputed label counts as it stands unless another family labels the same event the other
 * way for one of the same rules (Panther reuses one event across rules' tests): that label, not
 * our reading, settles it.
 */
function settle(records: Read[]): void {
  const byContent = new Map<string, Judged[]>();
  for (const { judged, content } of records) byContent.set(content, [...(byContent.get(content) ?? []), judged]);
  for (const { judged, content } of records) {
    if (!judged.dispute || judged.positive === undefined) continue;
    const other = byContent
      .get(content)!
      .find(
        (candidate) =>
          candidate !== judged &&
          candidate.label.family !== judged.label.family &&
          candidate.positive !== undefined &&
          candidate.positive !== judged.positive &&
          candidate.expected!.some((rule) => judged.expected!.includes(rule)),
      );
    if (!other) continue;
    judged.positive = other.positive;
    judged.dispute.settledBy = `${other.label.family} (${where(other)})`;
  }
}

/** The event itself: without our label and Panther's p_* enrichment fields, keys sorted. */
function contentKey(record: Record<string, unknown>): string {
  const body = Object.fromEntries(Object.entries(record).filter(([key]) => key !== '_expected' && !key.startsWith('p_')));
  return JSON.stringify(body, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
}

export function where(judged: Judged): string {
  return `${judged.file.split('/').slice(-2).join('/')}:${judged.line}`;
}

function tallyOf(map: Map<string, Tally>, key: string): Tally {
  let tally = map.get(key);
  if (!tally) map.set(key, (tally = emptyTally()));
  return tally;
}
