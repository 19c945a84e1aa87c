import { describe, expect, it } from 'vitest';
import { asciiLine, capped, clipText, commaList, ellipsize, listEnds, listing, percent, plural, printable, sanitize } from '#core/view/words';

describe('sanitize and printable', () => {
  it('drop escape sequences and invisible characters, and turn control characters into spaces', () => {
    expect(sanitize('\u001b]0;pwned\u0007a\u001b[2Jb\u202ec\u009b31md\te')).toBe('abcd e');
    expect(sanitize('  indented')).toBe('  indented');
    expect(printable('a\tb\u200bc')).toBe('a bc');
    expect(printable('  one   line\r\n')).toBe('one line');
  });
});

describe('truncation', () => {
  it('ellipsize cuts to the limit by character, the ellipsis included', () => {
    expect(ellipsize('abcdef', 6)).toBe('abcdef');
    expect(ellipsize('abcdef', 4)).toBe('abc…');
    expect(ellipsize('🙂🙂🙂', 2)).toBe('🙂…');
  });

  it('clipText keeps the head, says how much was left out, and never splits a character in two', () => {
    expect(clipText('abcdef', 10)).toBe('abcdef');
    expect(clipText('abcdef', 4)).toBe('abcd… (2 more characters)');
    expect(clipText('ab\u{1F41A}cd', 3)).toBe('ab… (4 more characters)');
  });

  it('asciiLine folds to ASCII and cuts at a word', () => {
    expect(asciiLine('Café → “quoted” – done…', 99)).toBe('Cafe -> "quoted" - done...');
    expect(asciiLine('x'.repeat(150), 99)).toHaveLength(99);
    expect(asciiLine(`${'word '.repeat(30)}`, 40)).toMatch(/^(word )*word\.\.\.$/);
  });
});

describe('counting and listing', () => {
  it('says one or many', () => {
    expect([plural(1, 'signal'), plural(2, 'signal'), plural(0, 'policy', 'policies')]).toEqual(['1 signal', '2 signals', '0 policies']);
  });

  it('joins lists and cuts long ones with how many more', () => {
    expect([listing([]), listing(['a']), listing(['a', 'b', 'c'])]).toEqual(['', 'a', 'a, b and c']);
    expect(commaList(['a', 'b', 'c'])).toBe('a, b, c');
    expect(commaList(['a', 'b', 'c', 'd'], 2)).toBe('a, b and 2 more');
    expect(capped(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'and 1 more']);
    expect(listEnds([1, 2, 3, 4, 5, 6], 2, 1)).toEqual({ head: [1, 2], hidden: 3, tail: [6] });
    expect(listEnds([1, 2, 3], 2, 1)).toEqual({ head: [1, 2, 3], hidden: 0, tail: [] });
  });

  it('gives a fraction as a whole percentage', () => {
    expect([percent(0.994), percent(0.555), percent(1)]).toEqual(['99%', '56%', '100%']);
  });
});
