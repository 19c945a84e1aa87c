import { describe, expect, it } from 'vitest';
import { factsFor } from '#core/link/index';
import { credentialLineage, rootSessionOf } from '#core/model/credential-lineage';
import { type GraphNode, nodeKey } from '#core/model/graph';
import { ACCOUNT, CLUSTER, assumedRoleIdentity, cloudTrailRecord } from '../fixtures/records.ts';
import { normalizeAll } from '../fixtures/normalize.ts';
import { memoryStore } from '../fixtures/store.ts';
import { assumeRole, createAccessKey } from '../fixtures/scenarios/role-chaining.ts';

function graphOf(records: Record<string, unknown>[]) {
  const store = memoryStore();
  for (const event of normalizeAll(records)) store.applyFactsNow(factsFor(event));
  return store;
}

const STOLEN = assumedRoleIdentity('checkout-irsa', 'botocore-session-1', 'ASIAEXAMPLEATTACK003');
const STOLEN_SESSION = nodeKey.session(ACCOUNT, 'checkout-irsa', 'botocore-session-1');

describe('derived credentials in the identity graph', () => {
  it('records a chained session as derived from the caller’s session, and the caller’s session as leading to it', () => {
    const graph = graphOf([
      assumeRole({ time: '2026-11-21T02:31:00Z', caller: STOLEN, sourceIp: '198.51.100.23', sessionName: 'pivot', accessKeyId: 'ASIAEXAMPLECHAINED01' }),
    ]);
    const chained = nodeKey.session(ACCOUNT, 'data-exporter', 'pivot');
    expect(graph.get(chained)?.attrs.via?.value).toBe('chained');
    expect(graph.get(chained)?.attrs.derivedFrom?.value).toBe(STOLEN_SESSION);
    expect(Object.keys(graph.get(STOLEN_SESSION)!.edges)).toContain(chained);
    expect(Object.keys(graph.get(nodeKey.accessKey('ASIAEXAMPLECHAINED01'))!.edges)).toEqual([chained]);
    expect(rootSessionOf(nodeKey.accessKey('ASIAEXAMPLECHAINED01'), graph)).toBeUndefined();
    expect(rootSessionOf(chained, graph)?.key).toBe(STOLEN_SESSION);
  });

  it('records a user key created by a session as derived from it, never as the session’s own key', () => {
    const graph = graphOf([
      createAccessKey({ time: '2026-11-21T02:31:00Z', caller: STOLEN, sourceIp: '198.51.100.23', userName: 'backup', accessKeyId: 'AKIAEXAMPLEBACKUP001' }),
    ]);
    expect(graph.get(nodeKey.accessKey('AKIAEXAMPLEBACKUP001'))?.attrs.derivedFrom?.value).toBe(STOLEN_SESSION);
    expect(Object.keys(graph.get(STOLEN_SESSION)!.edges)).not.toContain(nodeKey.accessKey('AKIAEXAMPLEBACKUP001'));
  });

  it('links nothing for a refused AssumeRole, or one an AWS service made for itself', () => {
    const graph = graphOf([
      {
        ...assumeRole({ time: '2026-11-21T02:31:00Z', caller: STOLEN, sourceIp: '198.51.100.23', sessionName: 'denied', accessKeyId: 'ASIAEXAMPLEDENIED001' }),
        errorCode: 'AccessDenied',
        responseElements: null,
      },
      assumeRole({
        time: '2026-11-21T02:31:00Z',
        caller: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
        sourceIp: 'lambda.amazonaws.com',
        sessionName: 'fn',
        accessKeyId: 'ASIAEXAMPLELAMBDA001',
      }),
    ]);
    expect(graph.get(nodeKey.session(ACCOUNT, 'data-exporter', 'denied'))).toBeUndefined();
    expect(graph.get(nodeKey.session(ACCOUNT, 'data-exporter', 'fn'))).toBeUndefined();
  });

  it('marks Pod Identity sessions issued without session tags (the association disabled them)', () => {
    const podIdentity = (tags: unknown[] | undefined, sessionName: string) =>
      cloudTrailRecord({
        userIdentity: { type: 'AWSService', invokedBy: 'pods.eks.amazonaws.com' },
        eventName: 'AssumeRole',
        sourceIPAddress: 'pods.eks.amazonaws.com',
        userAgent: 'pods.eks.amazonaws.com',
        requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/app1-role`, roleSessionName: sessionName, ...(tags ? { tags } : {}) },
        responseElements: { credentials: { accessKeyId: `ASIAEXAMPLE${sessionName.toUpperCase().padEnd(9, 'X')}` } },
      });
    const graph = graphOf([
      podIdentity(undefined, 'untagged'),
      podIdentity(
        [
          { key: 'eks-cluster-name', value: CLUSTER },
          { key: 'kubernetes-namespace', value: 'app1' },
          { key: 'kubernetes-pod-name', value: 'app1-5d9c-abcde' },
        ],
        'tagged',
      ),
    ]);
    expect(graph.get(nodeKey.session(ACCOUNT, 'app1-role', 'untagged'))?.attrs.podTags?.value).toBe(false);
    expect(graph.get(nodeKey.session(ACCOUNT, 'app1-role', 'tagged'))?.attrs.podTags?.value).toBe(true);
  });

  it('ends a lineage that loops (a forged or replayed record cannot make the walk endless)', () => {
    const node = (key: string, parent: string): GraphNode => ({
      key,
      attrs: { derivedFrom: { value: parent, time: 0, eventId: 'e' } },
      edges: {},
      changes: {},
      lastSeen: 0,
    });
    const nodes = new Map([
      ['key|A', node('key|A', 'key|B')],
      ['key|B', node('key|B', 'key|A')],
    ]);
    expect(credentialLineage('key|A', { get: (key) => nodes.get(key) }).map((entry) => entry.key)).toEqual(['key|A', 'key|B']);
  });
});
