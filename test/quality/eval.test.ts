import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelFor } from '../../eval/labels.ts';
import { evaluate } from '../../eval/evaluate.ts';
import { count, emptyTally, precision, recall } from '../../eval/score.ts';
import { auditEvent, cloudTrailRecord } from '../fixtures/records.ts';

describe('eval labels', () => {
  it('reads each corpus file’s label as PROVENANCE.md defines it', () => {
    expect(labelFor('x/eks-audit/panther-analysis_rule-tests.jsonl', { result: true, rule: 'Amazon.EKS.PodExec' })).toEqual({ positive: true, family: 'Amazon.EKS.PodExec', unreachable: undefined });
    expect(labelFor('x/cloudtrail/panther-analysis_rule-tests.jsonl', { result: true, rule: 'R', has_mocks: true }).unreachable).toMatch(/mocks/);
    expect(labelFor('x/eks-audit/falco_k8s-audit-trace-files.jsonl', { malicious: null, default_ruleset_detects: [] }).positive).toBeUndefined();
    expect(labelFor('x/guardduty/panther-analysis_rule-tests.jsonl', { result: false, rule: 'R' }).excluded).toMatch(/sample/);
    expect(labelFor('x/cloudtrail/aws-samples_eks-security-immersion-day_pod-identity.jsonl', { malicious: false }).positive).toBe(false);
  });
});

describe('eval figures', () => {
  it('are undefined, not perfect, when there is nothing to measure', () => {
    const tally = emptyTally();
    expect(precision(tally)).toBeNaN();
    expect(recall(tally)).toBeNaN();
    count(tally, true, true);
    count(tally, true, false);
    count(tally, false, true);
    expect([precision(tally), recall(tally)]).toEqual([0.5, 0.5]);
  });

  it('count a fired rule on a positive as TP, silence on a positive as a miss, a fired rule on a negative as FP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pivotguard-eval-'));
    await mkdir(join(dir, 'eks-audit'));
    const exec = auditEvent({
      verb: 'create',
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 101 },
    });
    const lines = [
      { ...exec, _expected: { result: true, rule: 'Exec' } },
      { ...auditEvent(), _expected: { result: true, rule: 'Missed' } },
      { ...exec, _expected: { result: false, rule: 'Exec' } },
      { ...cloudTrailRecord({ eventID: undefined }), _expected: { result: true, rule: 'Broken' } },
    ];
    const path = join(dir, 'eks-audit', 'panther-analysis_rule-tests.jsonl');
    await writeFile(path, lines.map((line) => JSON.stringify(line)).join('\n'));
    const result = evaluate([{ source: 'eks-audit', path }]);
    expect(result.bySource.get('eks-audit')).toEqual({ tp: 1, fp: 1, tn: 0, fn: 1 });
    expect(result.byFamily.get('eks-audit · Missed')).toEqual({ tp: 0, fp: 0, tn: 0, fn: 1 });
    // The record that could not be normalized is not judged at all.
    expect(result.records[3]!.rejected).toMatch(/eventID/);
  });
});
