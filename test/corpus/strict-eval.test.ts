import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusFiles, hasCorpus } from '../../eval/corpus.ts';
import { type Evaluation, TABLE, evaluate } from '../../eval/evaluate.ts';
import { readmeFigures } from '../../eval/readme-figures.ts';
import { precision, recall } from '../../eval/score.ts';
import { GUARDDUTY_FINDING_TYPES } from '#core/detect/rules/guardduty/finding-types';
import { auditRules, cloudTrailRules, guardDutyRules } from '#core/detect/rules/index';
import { claimingRules } from '../../eval/coverage.ts';

const SOURCES = ['eks-audit', 'cloudtrail', 'guardduty'];
const stated = readmeFigures(readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8'));

describe('the README states the strict figures', () => {
  it('for each source, as ratios', () => {
    expect([...stated.keys()]).toEqual(SOURCES);
    for (const { precision: p, recall: r } of stated.values()) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
    }
  });
});

describe('the families the eval claims', () => {
  it('are answered by rules the pack has', () => {
    const pack = new Set([...auditRules, ...cloudTrailRules, ...guardDutyRules].map((rule) => rule.id));
    expect([...claimingRules()].filter((rule) => !pack.has(rule))).toEqual([]);
  });
});

describe.skipIf(!hasCorpus)('npm run eval, strict, over the shared corpus', () => {
  let evaluation: Evaluation;
  beforeAll(() => {
    evaluation = evaluate(corpusFiles());
  });

  for (const source of SOURCES) {
    it(`${source} keeps at least the README's precision and recall`, () => {
      const tally = evaluation.bySource.get(source)!;
      const figures = stated.get(source)!;
      // The README rounds to two decimals; the eval is held to what it states.
      expect(Number(precision(tally).toFixed(2))).toBeGreaterThanOrEqual(figures.precision);
      expect(Number(recall(tally).toFixed(2))).toBeGreaterThanOrEqual(figures.recall);
    });
  }

  it('judges every corpus record once: an outcome when its family is claimed, a reason when it is not', () => {
    const corpus = evaluation.records.filter((record) => record.file !== TABLE);
    expect(corpus).toHaveLength(1054);
    expect(new Set(corpus.map((record) => `${record.file}:${record.line}`)).size).toBe(1054);
    for (const record of corpus) {
      expect(Boolean(record.outcome) !== Boolean(record.untallied), `${record.file}:${record.line}`).toBe(true);
      if (record.expected && record.label.positive !== undefined) expect(record.outcome, `${record.file}:${record.line}`).toBeDefined();
    }
  });

  it('scores refused records as not flagged instead of dropping them', () => {
    const refused = evaluation.records.filter((record) => record.rejected && record.outcome);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((record) => record.outcome === 'FN' || record.outcome === 'TN')).toBe(true);
  });

  it("fills in Panther's hand-made EKS events instead of dropping them for a missing auditID", () => {
    const panther = evaluation.records.filter((record) => record.file.endsWith('eks-audit/panther-analysis_rule-tests.jsonl'));
    expect(panther.filter((record) => record.completed.includes('auditID')).length).toBeGreaterThan(100);
    expect(panther.some((record) => record.rejected?.includes('auditID'))).toBe(false);
  });

  it('scores every GuardDuty finding type, and never alerts on its sample or archived copy', () => {
    const table = evaluation.records.filter((record) => record.file === TABLE);
    expect(table).toHaveLength(GUARDDUTY_FINDING_TYPES.length * 3);
    const copies = table.filter((record) => /\((sample|archived)\)$/.test(record.label.test!));
    expect(copies.every((record) => record.outcome === 'TN')).toBe(true);
    const corpusSamples = evaluation.records.filter((record) => record.source === 'guardduty' && record.file !== TABLE && !record.label.positive);
    expect(corpusSamples.map((record) => record.outcome)).toEqual(['TN', 'TN', 'TN', 'TN']);
  });
});
