/**
 * npm run eval: the rule pack over every labelled record of the shared corpus, and over a finding
 * of every GuardDuty type pivotguard claims. Prints every record once with its outcome, then the
 * misses and false alarms, the disputed labels and how they were counted, what is not tallied and
 * why, the figures per family and, last, the strict figures per source (README, "Detection quality").
 */
import { corpusFiles, hasCorpus } from './corpus.ts';
import { type Evaluation, type Judged, TABLE, evaluate, where } from './evaluate.ts';
import { type Tally, emptyTally, formatRatio, precision, recall } from './score.ts';

if (!hasCorpus) process.exit(0);
console.log(report(evaluate(corpusFiles())));

function report(result: Evaluation): string {
  const corpus = result.records.filter((r) => r.file !== TABLE);
  const lines: string[] = ['pivotguard eval (strict): single-record rules over every labelled record of the shared corpus', ''];
  lines.push(`Every corpus record, once (${corpus.length}): outcome, family, test, what fired, what the eval filled in`);
  for (const record of corpus) lines.push(`  ${describe(record)}`);
  lines.push('', ...tableListing(result.records.filter((r) => r.file === TABLE)), '');
  lines.push(
    ...listing(
      'Misses (labelled positive, no rule of its family flagged it)',
      result.records.filter((r) => r.outcome === 'FN'),
    ),
  );
  lines.push(
    ...listing(
      'False alarms (labelled negative, a rule of its family flagged it)',
      result.records.filter((r) => r.outcome === 'FP'),
    ),
  );
  const disputed = result.records.filter((r) => r.dispute);
  lines.push(`Labels we dispute: ${disputed.length}, tallied as labelled unless another family's label for the same event settles it`);
  for (const record of disputed) {
    const how = record.dispute!.settledBy ? `settled by ${record.dispute!.settledBy}: ${record.outcome}` : `counted as labelled: ${record.outcome}`;
    lines.push(`  ${where(record)}  ${record.label.family}  ${how}`, `      ${record.dispute!.reason}`);
  }
  lines.push('');
  const untallied = result.records.filter((r) => r.untallied);
  lines.push(`Not tallied: ${untallied.length}`);
  for (const [reason, number] of countBy(untallied, (r) => r.untallied!)) lines.push(`  ${String(number).padStart(4)}  ${reason}`);
  const outside = [...new Set(untallied.filter((r) => r.label.positive !== undefined).map((r) => r.label.family))].sort();
  lines.push(`  families outside the pack: ${outside.length}`, ...wrap(outside.join(', ')), '');
  const families = [...result.byFamily.entries()].sort(([a], [b]) => a.localeCompare(b));
  lines.push(table('labelled rule family', families), '');
  const techniques = [...result.techniques.entries()];
  lines.push(`Stratus Red Team techniques with at least one signal: ${techniques.filter(([, seen]) => seen).length} of ${techniques.length}`);
  lines.push(
    `  not seen: ${
      techniques
        .filter(([, seen]) => !seen)
        .map(([name]) => name)
        .join(', ') || 'none'
    }`,
    '',
  );
  const overall = emptyTally();
  for (const tally of result.bySource.values()) for (const key of ['tp', 'fp', 'tn', 'fn'] as const) overall[key] += tally[key];
  const order = ['eks-audit', 'cloudtrail', 'guardduty'];
  const sources = [...result.bySource.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  lines.push('Strict figures per source (README, "Detection quality"):', table('source', [...sources, ['all', overall]]));
  return lines.join('\n');
}

function describe(record: Judged): string {
  const outcome = record.outcome ?? 'not tallied';
  const notes = [
    record.label.test && `"${record.label.test}"`,
    record.fired.length > 0 && `fired: ${record.fired.map((fired) => `${fired.rule} (${fired.severity})`).join(', ')}`,
    record.completed.length > 0 && `filled in: ${record.completed.join(', ')}`,
    record.rejected && `rejected: ${record.rejected}`,
    record.label.caveat,
    record.dispute && (record.dispute.settledBy ? `disputed, settled by ${record.dispute.settledBy}` : 'disputed, counted as labelled'),
    record.untallied,
  ].filter(Boolean);
  return `${where(record)}  ${outcome}  ${record.label.family}${notes.length ? `  ${notes.join('; ')}` : ''}`;
}

/** The table's findings, one line per type: the finding, its sample copy and its archived copy. */
function tableListing(records: Judged[]): string[] {
  const byType = new Map<string, Judged[]>();
  for (const record of records) {
    const type = record.label.test!.replace(/ \(\w+\)$/, '');
    byType.set(type, [...(byType.get(type) ?? []), record]);
  }
  const lines = [`GuardDuty finding-type table (${byType.size} types; each as a finding, a sample and archived, at severity 5)`];
  for (const [type, variants] of byType) {
    lines.push(
      `  ${type}  ${variants.map((v) => `${/\((\w+)\)$/.exec(v.label.test!)![1]}: ${v.outcome}${v.rejected ? ` (rejected: ${v.rejected})` : ''}`).join('  ')}`,
    );
  }
  return lines;
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
  return [`${title}: ${records.length}`, ...records.map((record) => `  ${describe(record)}`), ''];
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
