import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOUDTRAIL_READERS, WATCHED_EVENT_SOURCES } from '#core/detect/watched-sources';
import { auditRules, cloudTrailRules, guardDutyRules } from '#core/detect/rules/index';
import { OUTSIDE_EGRESS_RULE } from '#core/detect/outside-egress';
import { factsFor } from '#core/link/index';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { corpusFiles } from '../../eval/corpus.ts';
import { ACCOUNT, assumedRoleIdentity, cloudTrailRecord, webIdentityAssume } from '../fixtures/records.ts';

const CORE = join(import.meta.dirname, '../../functions/core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const declared = (reader: string) => CLOUDTRAIL_READERS.find((candidate) => candidate.reader === reader)!.watch;

describe('what each CloudTrail reader declares it reads', () => {
  it('is declared by every CloudTrail rule, the outside-egress detection and the identity graph, and by no other rule', () => {
    expect(CLOUDTRAIL_READERS.map(({ reader }) => reader)).toEqual([...cloudTrailRules.map((rule) => rule.id), OUTSIDE_EGRESS_RULE.id, 'link']);
    for (const { reader, watch } of CLOUDTRAIL_READERS) {
      expect((watch.calls?.length ?? 0) > 0 || watch.writes || watch.refusals || watch.root, reader).toBeTruthy();
    }
    expect([...auditRules, ...guardDutyRules].filter((rule) => 'watches' in rule)).toEqual([]);
  });

  it('names each call as eventSource:eventName, a trailing * only after the name of a change', () => {
    const calls = CLOUDTRAIL_READERS.flatMap(({ watch }) => watch.calls ?? []);
    expect(calls.filter((call) => !/^[a-z0-9-]+\.amazonaws\.com:[A-Z][A-Za-z0-9]+\*?$/.test(call))).toEqual([]);
    expect(calls.filter((call) => /:(Get|List|Describe|Batch)[A-Za-z]*\*$/.test(call))).toEqual([]);
  });

  it('names every event source the rules’ and the identity graph’s code compares against', () => {
    const named = new Set<string>();
    const files = [...sourceFiles(join(CORE, 'detect/rules/cloudtrail')), join(CORE, 'detect/outside-egress.ts'), ...sourceFiles(join(CORE, 'link'))];
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/'([a-z0-9-]+\.amazonaws\.com)/g)) named.add(match[1]!);
    }
    // Service principals that appear as callers, not as event sources.
    named.delete('pods.eks.amazonaws.com');
    named.delete('cloudformation.amazonaws.com');
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((source) => !WATCHED_EVENT_SOURCES.includes(source))).toEqual([]);
  });

  it('includes, for the identity graph, every call it learns something from by the call’s name', () => {
    const node = assumedRoleIdentity('prod-east-node-role', 'i-0a1b2c3d4e5f60718', 'ASIAEXAMPLENODE00001');
    const records: Record<string, unknown>[] = [
      webIdentityAssume({
        time: '2026-11-21T02:25:10Z',
        roleName: 'checkout-irsa',
        namespace: 'payments',
        serviceAccount: 'checkout',
        sessionName: 's-1',
        accessKeyId: 'ASIAEXAMPLEKEY000009',
        sourceIp: '203.0.113.10',
      }),
      cloudTrailRecord({
        userIdentity: { type: 'AWSService', invokedBy: 'pods.eks.amazonaws.com' },
        eventName: 'AssumeRole',
        requestParameters: {
          roleArn: `arn:aws:iam::${ACCOUNT}:role/pod-role`,
          roleSessionName: 'eks-prod-east-1',
          tags: [
            { key: 'eks-cluster-name', value: 'prod-east' },
            { key: 'kubernetes-namespace', value: 'payments' },
            { key: 'kubernetes-pod-name', value: 'web-1' },
          ],
        },
        responseElements: { credentials: { accessKeyId: 'ASIAEXAMPLEPODID0001' } },
      }),
      cloudTrailRecord({ userIdentity: node, eventSource: 'eks-auth.amazonaws.com', eventName: 'AssumeRoleForPodIdentity', sourceIPAddress: '203.0.113.10' }),
      ...[
        'sts.amazonaws.com:AssumeRoleWithSAML',
        'sts.amazonaws.com:GetSessionToken',
        'sts.amazonaws.com:GetFederationToken',
        'ec2.amazonaws.com:AssignPrivateIpAddresses',
      ].map((call) =>
        cloudTrailRecord({
          userIdentity: node,
          eventSource: call.split(':')[0],
          eventName: call.split(':')[1],
          requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/x`, roleSessionName: 'x' },
        }),
      ),
      ...[
        'PutRolePolicy',
        'AttachRolePolicy',
        'DetachRolePolicy',
        'DeleteRolePolicy',
        'UpdateAssumeRolePolicy',
        'PutRolePermissionsBoundary',
        'DeleteRolePermissionsBoundary',
        'CreateRole',
        'DeleteRole',
        'TagRole',
        'PutUserPolicy',
        'CreateAccessKey',
      ].map((eventName) =>
        cloudTrailRecord({
          eventSource: 'iam.amazonaws.com',
          eventName,
          requestParameters: { roleName: 'checkout-irsa', userName: 'alice', policyName: 'p', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        }),
      ),
      ...corpusFiles()
        .filter(({ source }) => source === 'cloudtrail')
        .flatMap(({ path }) =>
          readFileSync(path, 'utf8')
            .split('\n')
            .filter((line) => line.trim())
            .map((line) => JSON.parse(line) as Record<string, unknown>),
        ),
    ];
    // What the graph learns from a record, with or without the record's own call name: whatever differs was learned from the name.
    const learned = (record: Record<string, unknown>) => {
      const out = emptyOutput();
      normalizeValue(record, 'line 1', { file: 'test', defaultCluster: 'prod-east' }, out);
      return JSON.stringify(out.events.flatMap((event) => factsFor(event)).map(({ key, attrs, changes }) => ({ key, attrs, changes })));
    };
    const calls = new Set(declared('link').calls);
    const undeclared = records
      .filter((record) => learned(record) !== learned({ ...record, eventName: 'UnnamedCall' }))
      .map((record) => `${String(record.eventSource)}:${String(record.eventName)}`)
      .filter((call) => !calls.has(call));
    expect([...new Set(undeclared)]).toEqual([]);
  });
});
