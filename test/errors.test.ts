import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnreadableLogsPayload } from '#adapters/log-forwarder';
import { PivotguardError } from '#core/errors';

const ROOT = join(import.meta.dirname, '..');

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(ROOT, folder, name));
}

describe('PivotguardError', () => {
  it('carries its message and the error that caused it', () => {
    const cause = new SyntaxError('unexpected end of input');
    const error = new UnreadableLogsPayload('decompressed payload is not JSON', { cause });
    expect(error).toBeInstanceOf(PivotguardError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'UnreadableLogsPayload', reason: 'decompressed payload is not JSON', cause });
  });

  it('is named by each subclass with a literal, which survives the minified Lambda bundles', () => {
    const unnamed: string[] = [];
    for (const file of [...sources('functions'), ...sources('bin')]) {
      const text = readFileSync(file, 'utf8');
      for (const [declaration, name] of text.matchAll(/class (\w+) extends PivotguardError \{/g)) {
        const body = text.slice(text.indexOf(declaration!) + declaration!.length);
        if (!body.trimStart().startsWith(`override name = '${name}';`)) unnamed.push(`${relative(ROOT, file)}: ${name}`);
      }
    }
    expect(unnamed).toEqual([]);
  });
});
