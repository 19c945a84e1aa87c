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
      caveat: undefined,
      test: undefined,
    });
    // Mocked labels are tallied as labelled, with the caveat named.
    expect(labelFor('x/cloudtrail/panther-analysis_rule-tests.jsonl', { result: true, rule: 'R', has_mocks: true })).toMatchObject({
      positive: true,
      caveat: /mocks/,
    });
    expect(labelFor('x/eks-audit/falco_k8s-audit-trace-files.jsonl', { malicious: null, default_ruleset_detects: [] }).positive).toBeUndefined();
    // Panther's false GuardDuty label is the same finding as a sample: a negative.
    expect(labelFor('x/guardduty/panther-analysis_rule-tests.jsonl', { result: false, rule: 'R' }).positive).toBe(false);
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
    expect(result.bySource.get('eks-audit')).toEqual({ tp: 1, fp: 1, tn: 0, fn: 3 });
    expect(result.byFamily.get('eks-audit · Kubernetes.Role.Wildcard')).toEqual({ tp: 0, fp: 0, tn: 0, fn: 1 });
    expect(result.byFamily.has('eks-audit · Kubernetes.Ingress.NoTLS')).toBe(false);
    expect(result.records[4]!.expected).toBeUndefined();
    // A record the pipeline refuses flags nothing: a labelled positive is a miss, not dropped.
    expect(result.records[5]).toMatchObject({ rejected: expect.stringMatching(/eventID/), outcome: 'FN' });
  });

  it('fill in what a hand-made test event leaves out, the same on every run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pivotguard-eval-'));
    await mkdir(join(dir, 'eks-audit'));
    const {
      auditID: _id,
      requestReceivedTimestamp: _at,
      stageTimestamp: _stage,
      ...bare
    } = auditEvent({
      verb: 'create',
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 101 },
    });
    const path = join(dir, 'eks-audit', 'panther-analysis_rule-tests.jsonl');
    await writeFile(path, `${JSON.stringify({ ...bare, _expected: { result: true, rule: 'Kubernetes.Pod.Exec' } })}\n`);
    const [first, second] = [evaluate([{ source: 'eks-audit', path }]), evaluate([{ source: 'eks-audit', path }])];
    expect(first.records[0]).toMatchObject({ outcome: 'TP', completed: expect.arrayContaining(['auditID', 'requestReceivedTimestamp']) });
    expect(first.records[0]!.rejected).toBeUndefined();
    expect(second.records[0]!.fired).toEqual(first.records[0]!.fired);
  });

  it('count a disputed label as labelled, unless another family labels the same event the other way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pivotguard-eval-'));
    await mkdir(join(dir, 'cloudtrail'));
    const rootLogin = cloudTrailRecord({
      eventID: 'root-login',
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      userIdentity: { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' },
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { MFAUsed: 'Yes' },
    });
    const rootRead = { ...rootLogin, eventID: 'root-read', eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', eventType: 'AwsApiCall' };
    const lines = [
      { ...rootLogin, _expected: { result: false, rule: 'AWS.Console.RootLoginFailed', test_name: 'Successful Login' } },
      { ...rootLogin, _expected: { result: true, rule: 'AWS.Console.RootLogin', test_name: 'Root Login' } },
      { ...rootRead, _expected: { result: false, rule: 'AWS.Root.Activity', test_name: 'Root Read-Only Enumeration' } },
    ];
    const path = join(dir, 'cloudtrail', 'panther-analysis_rule-tests.jsonl');
    await writeFile(path, lines.map((line) => JSON.stringify(line)).join('\n'));
    const [settled, , standing] = evaluate([{ source: 'cloudtrail', path }]).records;
    expect(settled).toMatchObject({ outcome: 'TP', dispute: { settledBy: expect.stringMatching(/AWS\.Console\.RootLogin /) } });
    expect(standing!.outcome).toBe('FP');
    expect(standing!.dispute).toBeDefined();
    expect(standing!.dispute!.settledBy).toBeUndefined();
  });
});
