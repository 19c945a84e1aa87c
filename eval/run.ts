/**
 * npm run eval: the rule pack over the labelled records of the shared corpus. Prints, per source
 * and per labelled rule family, TP/FP/FN, precision and recall, the misses and false alarms, and
 * what could not be judged and why.
 */
import { corpusFiles, hasCorpus } from './corpus.ts';
import { type Evaluation, type Judged, evaluate, flagged, isJudgeable } from './evaluate.ts';
import { type Tally, emptyTally, formatRatio, precision, recall } from './score.ts';

if (!hasCorpus) process.exit(0);
const evaluation = evaluate(corpusFiles());
console.log(report(evaluation));

function report(result: Evaluation): string {
  const lines: string[] = ['pivotguard eval: single-record rules over the labelled shared corpus', ''];
  const overall = emptyTally();
  for (const tally of result.bySource.values()) for (const key of ['tp', 'fp', 'tn', 'fn'] as const) overall[key] += tally[key];
  lines.push(table('source', [...result.bySource.entries(), ['all', overall]]), '');
  lines.push(
    table(
      'labelled rule family',
      [...result.byFamily.entries()].sort(([a], [b]) => a.localeCompare(b)),
    ),
    '',
  );
  const techniques = [...result.techniques.entries()];
  const seen = techniques.filter(([, detected]) => detected).length;
  lines.push(`Stratus Red Team techniques with at least one signal: ${seen} of ${techniques.length}`);
  lines.push(
    `  not seen: ${
      techniques
        .filter(([, detected]) => !detected)
        .map(([name]) => name)
        .join(', ') || 'none'
    }`,
    '',
  );
  lines.push(
    ...listing(
      "Misses (labelled positive, the family's rules did not fire)",
      result.records.filter((r) => isJudgeable(r) && r.label.positive && !flagged(r)),
    ),
  );
  lines.push(
    ...listing(
      "False alarms (labelled negative, the family's rules fired)",
      result.records.filter((r) => isJudgeable(r) && !r.label.positive && flagged(r)),
    ),
  );
  const disputed = result.records.filter((r) => r.disputed);
  lines.push(`Labels we dispute (not tallied): ${disputed.length}`);
  for (const record of disputed) lines.push(`  ${where(record)}  ${record.label.family}: ${record.disputed}`);
  lines.push('');
  const outside = result.records.filter((r) => r.label.positive !== undefined && !r.rejected && !r.expected);
  const outsideFamilies = [...new Set(outside.map((r) => r.label.family))].sort();
  const outsidePositives = outside.filter((r) => r.label.positive);
  lines.push(
    `Outside the pack (not tallied): ${outsideFamilies.length} labelled families, ${outsidePositives.length} positives, ` +
      `${outsidePositives.filter((r) => r.rules.length > 0).length} of them raising some other signal anyway`,
  );
  lines.push(...wrap(outsideFamilies.join(', ')), '');
  const unreachable = result.records.filter((r) => r.label.positive !== undefined && r.expected && !r.disputed && !isJudgeable(r));
  lines.push(`Labels in the pack's families a single record cannot judge: ${unreachable.length}`);
  for (const [reason, number] of countBy(unreachable, (r) => (r.rejected ? `not a complete record: ${shorten(r.rejected)}` : r.label.unreachable!))) {
    lines.push(`  ${String(number).padStart(4)}  ${reason}`);
  }
  const excluded = result.records.filter((r) => r.label.excluded);
  lines.push(`Records whose label answers another question: ${excluded.length}`);
  for (const [reason, number] of countBy(excluded, (r) => r.label.excluded!)) lines.push(`  ${String(number).padStart(4)}  ${reason}`);
  return lines.join('\n');
}

function table(title: string, rows: [string, Tally][]): string {
  const header = [title, 'TP', 'FP', 'FN', 'TN', 'precision', 'recall'];
  const body = rows.map(([name, t]) => [name, String(t.tp), String(t.fp), String(t.fn), String(t.tn), formatRatio(precision(t)), formatRatio(recall(t))]);
  const widths = header.map((cell, index) => Math.max(cell.length, ...body.map((row) => row[index]!.length)));
  return [header, ...body]
    .map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[index]!))).join('  '))
    .join('\n');
}

function listing(title: string, records: Judged[]): string[] {
  const lines = [`${title}: ${records.length}`];
  for (const record of records) {
    lines.push(`  ${where(record)}  ${record.label.family}${record.rules.length > 0 ? `  fired: ${record.rules.join(', ')}` : ''}`);
  }
  return [...lines, ''];
}

function where(record: Judged): string {
  return `${record.file.split('/').slice(-2).join('/')}:${record.line}`;
}

function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = ' ';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${word}`;
  }
  return line.trim() ? [...lines, line] : lines;
}

function countBy<T>(items: T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

function shorten(reason: string): string {
  return reason.replace(/"[^"]*"/g, '"…"').replace(/ \(and \d+ more\)/, '');
}
