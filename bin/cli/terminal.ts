/**
 * Everything the command prints as text goes through here: records quote what attackers wrote
 * (process names, session names, rejected keys), and a terminal obeys what it is sent.
 */

import { ellipsize, sanitize } from '#core/view/words';

/** Text that cannot move the cursor, recolour or retitle the terminal, or reorder what it shows; at most `max` characters. */
export function terminalSafe(text: unknown, max = Number.POSITIVE_INFINITY): string {
  return ellipsize(sanitize(String(text ?? '')), max);
}

/** A printed line: plain text wraps under its own indent; `hang` sets where its continuation lines start; `verbatim` never wraps (YAML, JSON to copy). */
export type Printable = string | { text: string; hang?: number; verbatim?: boolean };

/** Columns of a terminal, or 100 when the output is a file or a pipe. */
export function terminalWidth(stream: NodeJS.WritableStream): number {
  const columns = (stream as Partial<NodeJS.WriteStream>).columns;
  return typeof columns === 'number' && columns >= 40 ? columns : 100;
}

/** Writes lines, each made terminal-safe and wrapped to the width. */
export function printLines(out: NodeJS.WritableStream, lines: readonly Printable[], width = terminalWidth(out)): void {
  const printed = lines.flatMap((line) => {
    const { text, hang, verbatim } = typeof line === 'string' ? { text: line } : line;
    const safe = terminalSafe(text);
    return verbatim ? [safe] : wrap(safe, width, hang);
  });
  out.write(printed.length > 0 ? `${printed.join('\n')}\n` : '');
}

/** One line on stderr, `pivotguard: ` first: a failure or a refusal, never more than one line. */
export function printError(err: NodeJS.WritableStream, message: string): void {
  err.write(`pivotguard: ${terminalSafe(message, 2000)}\n`);
}

/** Breaks a line at spaces to fit `width`; continuation lines start at `hang` (default: the line's own indent). */
export function wrap(line: string, width: number, hang?: number): string[] {
  const characters = [...line];
  if (characters.length <= width) return [line];
  const indent = Math.min(hang ?? line.length - line.trimStart().length, Math.floor(width / 2));
  const lines: string[] = [];
  let rest = characters;
  let prefix = '';
  while (prefix.length + rest.length > width) {
    const room = width - prefix.length;
    const leading = rest.findIndex((character) => character !== ' ');
    // The last space that leaves something on this line; a word longer than the line is cut.
    const space = rest.lastIndexOf(' ', room);
    const cut = space > leading ? space : room;
    lines.push(`${prefix}${rest.slice(0, cut).join('')}`.trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest = rest.slice(1);
    prefix = ' '.repeat(indent);
  }
  if (rest.length > 0) lines.push(`${prefix}${rest.join('')}`);
  return lines;
}
