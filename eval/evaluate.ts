import { readFileSync } from 'node:fs';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { detect } from '#core/detect/index';
import { type Label, labelFor } from './labels.ts';
import { type Tally, count, emptyTally } from './score.ts';
import { answers, disputeOf, rulesFor } from './coverage.ts';

export interface Judged {
  file: string;
  line: number;
  source: string;
  label: Label;
  /** The rules that fired, or the reason the record was not normalized. */
  rules: string[];
  rejected?: string;
  /** The rules that answer the label's question; undefined when its family is outside the pack. */
  expected?: string[];
  /** Why we believe the label is wrong for what pivotguard watches. */
  disputed?: string;
}

export interface Evaluation {
  records: Judged[];
  bySource: Map<string, Tally>;
  byFamily: Map<string, Tally>;
  /** Per Stratus technique: did any of its records raise a signal? */
  techniques: Map<string, boolean>;
}

/** Runs every single-record rule over every labelled corpus record and tallies the outcome. */
export function evaluate(files: { source: string; path: string }[]): Evaluation {
  const evaluation: Evaluation = { records: [], bySource: new Map(), byFamily: new Map(), techniques: new Map() };
  for (const { source, path } of files) {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (text.trim().length === 0) return;
      const record = JSON.parse(text) as Record<string, unknown>;
      const label = labelFor(path, (record._expected ?? {}) as Record<string, unknown>);
      const out = emptyOutput();
      normalizeValue(record, index + 1, { file: path, defaultCluster: 'corpus' }, out);
      const rules = [...new Set(out.events.flatMap((event) => detect(event).map((signal) => signal.rule)))];
      const expected = rulesFor(label.family);
      const disputed = disputeOf(path, label.family, label.test ?? (typeof record.eventID === 'string' ? record.eventID : undefined));
      const judged: Judged = { file: path, line: index + 1, source, label, rules, rejected: out.rejected[0]?.reason, expected, disputed };
      evaluation.records.push(judged);
      if (label.excluded && source === 'cloudtrail' && label.family.startsWith('aws.')) {
        evaluation.techniques.set(label.family, (evaluation.techniques.get(label.family) ?? false) || rules.length > 0);
      }
      if (!isJudgeable(judged)) return;
      const flagged = answers(judged.expected!, rules);
      count(tallyOf(evaluation.bySource, source), label.positive!, flagged);
      count(tallyOf(evaluation.byFamily, `${source} · ${label.family}`), label.positive!, flagged);
    });
  }
  return evaluation;
}

/**
 * Judged: a yes/no label that a single record can answer, on a record the pipeline could read,
 * in a family the pack claims, and not disputed.
 */
export function isJudgeable(judged: Judged): boolean {
  if (judged.label.positive === undefined || judged.rejected || !judged.expected || judged.disputed) return false;
  return !judged.label.unreachable;
}

/** Whether the rules that answer the record's family fired on it. */
export function flagged(judged: Judged): boolean {
  return judged.expected !== undefined && answers(judged.expected, judged.rules);
}

function tallyOf(map: Map<string, Tally>, key: string): Tally {
  let tally = map.get(key);
  if (!tally) map.set(key, (tally = emptyTally()));
  return tally;
}
