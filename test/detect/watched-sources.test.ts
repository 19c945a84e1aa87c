import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WATCHED_EVENT_SOURCES } from '#core/detect/watched-sources';

const CORE = join(import.meta.dirname, '../../functions/core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the CloudTrail sources the deployed rule forwards', () => {
  it('include every event source a rule or the identity graph names', () => {
    const named = new Set<string>();
    for (const file of [...sourceFiles(join(CORE, 'detect/rules/cloudtrail')), ...sourceFiles(join(CORE, 'link'))]) {
      for (const match of readFileSync(file, 'utf8').matchAll(/'([a-z0-9-]+\.amazonaws\.com)/g)) named.add(match[1]!);
    }
    // Service principals that appear as callers, not as event sources.
    named.delete('pods.eks.amazonaws.com');
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((source) => !(WATCHED_EVENT_SOURCES as readonly string[]).includes(source))).toEqual([]);
  });
});
