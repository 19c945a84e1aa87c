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
    expect(labelFor('x/eks-audit/panther-analysis_rule-tests.jsonl', { result: true, rule: 'Amazon.EKS.PodExec' })).toEqual({
      positive: true,
      family: 'Amazon.EKS.PodExec',
      unreachable: undefined,
      test: undefined,
    });
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

  it('judge a record by the rules that answer its family, and leave families outside the pack untallied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pivotguard-eval-'));
    await mkdir(join(dir, 'eks-audit'));
    const exec = auditEvent({
      verb: 'create',
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 101 },
    });
    const lines = [
      { ...exec, _expected: { result: true, rule: 'Kubernetes.Pod.Exec' } },
      { ...auditEvent(), _expected: { result: true, rule: 'Kubernetes.Pod.Exec' } },
      { ...exec, _expected: { result: false, rule: 'Kubernetes.Pod.Exec' } },
      // The exec rule fires, but it does not answer "a wildcard role was created": a miss.
      { ...exec, _expected: { result: true, rule: 'Kubernetes.Role.Wildcard' } },
      { ...exec, _expected: { result: true, rule: 'Kubernetes.Ingress.NoTLS' } },
      { ...cloudTrailRecord({ eventID: undefined }), _expected: { result: true, rule: 'Kubernetes.Pod.Exec' } },
    ];
    const path = join(dir, 'eks-audit', 'panther-analysis_rule-tests.jsonl');
    await writeFile(path, lines.map((line) => JSON.stringify(line)).join('\n'));
    const result = evaluate([{ source: 'eks-audit', path }]);
    expect(result.bySource.get('eks-audit')).toEqual({ tp: 1, fp: 1, tn: 0, fn: 2 });
    expect(result.byFamily.get('eks-audit · Kubernetes.Role.Wildcard')).toEqual({ tp: 0, fp: 0, tn: 0, fn: 1 });
    expect(result.byFamily.has('eks-audit · Kubernetes.Ingress.NoTLS')).toBe(false);
    expect(result.records[4]!.expected).toBeUndefined();
    // The record that could not be normalized is not judged at all.
    expect(result.records[5]!.rejected).toMatch(/eventID/);
  });
});
