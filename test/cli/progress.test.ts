import { describe, expect, it } from 'vitest';
import { progressBar } from '../../bin/cli/progress.ts';

describe('progressBar', () => {
  it('draws the share done on one line and clears it when complete', () => {
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const draw = progressBar(stream);
    draw(25e6, 100e6);
    expect(written[0]).toBe(`\r[${'#'.repeat(8)}${' '.repeat(22)}]  25% of 100.0 MB`);
    draw(100e6, 100e6);
    expect(written.at(-2)).toMatch(/\] 100% of 100\.0 MB$/);
    expect(written.at(-1)).toBe('\r\x1b[K');
  });
});
