/**
 * The strict figures per source as README.md states them (section "Detection quality"): the one
 * place they are written, which test/corpus/strict-eval.test.ts holds the eval to.
 */
export interface StatedFigures {
  precision: number;
  recall: number;
}

const SECTION = '## Detection quality';
const HEADER = /^\|\s*source\s*\|\s*TP\s*\|\s*FP\s*\|\s*FN\s*\|\s*TN\s*\|\s*precision\s*\|\s*recall\s*\|$/;

export function readmeFigures(markdown: string): Map<string, StatedFigures> {
  const start = markdown.indexOf(SECTION);
  if (start < 0) throw new Error(`README has no "${SECTION}" section`);
  const end = markdown.indexOf('\n## ', start + SECTION.length);
  const lines = markdown.slice(start, end < 0 ? undefined : end).split('\n');
  const header = lines.findIndex((line) => HEADER.test(line.trim()));
  if (header < 0) throw new Error('the "Detection quality" section has no | source | TP | FP | FN | TN | precision | recall | table');
  const figures = new Map<string, StatedFigures>();
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const [source, precision, recall] = [cells[0]!, Number(cells[5]), Number(cells[6])];
    if (!Number.isFinite(precision) || !Number.isFinite(recall)) throw new Error(`README figures for ${source} are not numbers: ${line}`);
    figures.set(source, { precision, recall });
  }
  return figures;
}
