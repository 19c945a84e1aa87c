import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printLines, terminalSafe, terminalWidth, wrap } from '../../bin/cli/terminal.ts';

const ESC = '\u001b';

describe('terminalSafe', () => {
  it.each([
    ['a colour change', `${ESC}[31mred${ESC}[0m`, 'red'],
    ['a cursor move and screen clear', `a${ESC}[2J${ESC}[H b`, 'a b'],
    ['an OSC title change ended by BEL', `${ESC}]0;pwned\u0007name`, 'name'],
    ['an OSC hyperlink ended by ST', `${ESC}]8;;http://evil${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['an 8-bit CSI', '\u009b31mred', 'red'],
    ['bidi overrides and isolates', 'evil\u202egnp.exe\u2066x\u2069', 'evilgnp.exex'],
    ['zero-width characters', 'ad\u200bmin', 'admin'],
  ])('removes %s', (_, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it('turns line breaks and other controls into spaces: one value never prints as two lines', () => {
    expect(terminalSafe('sh\nCRITICAL fake\r\tx')).toBe('sh CRITICAL fake  x');
  });

  it('cuts a value to its length, marking the cut', () => {
    expect(terminalSafe('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
    expect([...terminalSafe('é'.repeat(20), 10)]).toHaveLength(10);
  });
});

describe('wrap', () => {
  it('breaks at spaces under the given column, and cuts a word longer than the line', () => {
    const lines = wrap(`  label   ${'word '.repeat(30)}`.trimEnd(), 40, 10);
    expect(lines.every((line) => line.length <= 40)).toBe(true);
    expect(lines.slice(1).every((line) => line.startsWith(' '.repeat(10)) && line[10] !== ' ')).toBe(true);
    expect(wrap('x'.repeat(100), 40)).toEqual(['x'.repeat(40), 'x'.repeat(40), 'x'.repeat(20)]);
  });

  it('leaves a line that fits alone', () => {
    expect(wrap('short', 40)).toEqual(['short']);
  });
});

describe('printLines', () => {
  it('wraps to the terminal width, 100 when the output is not a terminal, and never wraps verbatim lines', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk) => chunks.push(String(chunk)));
    expect(terminalWidth(out)).toBe(100);
    expect(terminalWidth(Object.assign(new PassThrough(), { columns: 60 }))).toBe(60);
    printLines(out, [`${'a '.repeat(80)}`, { text: `  ${'b'.repeat(150)}`, verbatim: true }, `${ESC}[31m`]);
    const lines = chunks.join('').split('\n');
    expect(lines.filter((line) => line.startsWith('a')).every((line) => line.length <= 100)).toBe(true);
    expect(lines).toContain(`  ${'b'.repeat(150)}`);
    expect(chunks.join('')).not.toContain(ESC);
  });
});
