import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared corpus of real recorded events, read in place; PIVOTGUARD_CORPUS overrides where. */
export const corpusDir = resolve(process.env.PIVOTGUARD_CORPUS ?? join(import.meta.dirname, '../../shared/corpus'));
export const hasCorpus = existsSync(join(corpusDir, 'PROVENANCE.md'));

if (!hasCorpus) {
  console.warn(`corpus not found at ${corpusDir}: corpus suites and the eval are skipped (set PIVOTGUARD_CORPUS)`);
}

export function corpusFiles(): { source: string; path: string }[] {
  if (!hasCorpus) return [];
  return ['eks-audit', 'cloudtrail', 'guardduty'].flatMap((source) =>
    readdirSync(join(corpusDir, source))
      .filter((name) => name.endsWith('.jsonl'))
      .sort()
      .map((name) => ({ source, path: join(corpusDir, source, name) })),
  );
}
