import { describe, expect, it } from 'vitest';
import { factsFor } from '#core/link/index';
import type { MemoryStore } from '#adapters/memory-store';
import { memoryStore } from '../fixtures/store.ts';
import { nodeKey } from '#core/model/graph';
import type { SecurityEvent } from '#core/model/event';
import { ACCOUNT, CLUSTER, auditEvent, cloudTrailRecord, assumedRoleIdentity, podCreate, podObject, webIdentityAssume } from '../fixtures/records.ts';
import { shuffle } from '../fixtures/shuffle.ts';
import { normalizeAll } from '../fixtures/normalize.ts';

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;

function graphOf(input: SecurityEvent[]): MemoryStore {
  const store = memoryStore();
  for (const event of input) store.applyFactsNow(factsFor(event));
  return store;
}

const pod = podObject({
  name: 'checkout-7d9f8b6c5-x2k4q',
  serviceAccount: 'checkout',
  roleArn: ROLE_ARN,
  replicaSet: 'checkout-7d9f8b6c5',
  image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout:2.14.0',
});
const scenario = [
  podCreate(pod, '2026-11-20T16:05:40Z'),
  auditEvent({
    verb: 'create',
    user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
    objectRef: { resource: 'pods', subresource: 'binding', namespace: 'payments', name: 'checkout-7d9f8b6c5-x2k4q', apiVersion: 'v1' },
    requestObject: {
      kind: 'Binding',
      apiVersion: 'v1',
      metadata: { name: 'checkout-7d9f8b6c5-x2k4q' },
      target: { kind: 'Node', name: 'ip-10-0-42-17.ec2.internal' },
    },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2026-11-20T16:05:41Z',
  }),
  auditEvent({
    verb: 'patch',
    user: { username: 'system:node:ip-10-0-42-17.ec2.internal', groups: ['system:nodes'] },
    objectRef: { resource: 'pods', subresource: 'status', namespace: 'payments', name: 'checkout-7d9f8b6c5-x2k4q', apiVersion: 'v1' },
    requestObject: {
      status: { podIP: '10.0.42.133', containerStatuses: [{ name: 'app', imageID: '111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout@sha256:9f2b' }] },
    },
    requestReceivedTimestamp: '2026-11-20T16:05:50Z',
  }),
  auditEvent({
    verb: 'patch',
    user: { username: 'system:node:ip-10-0-42-17.ec2.internal', groups: ['system:nodes'] },
    objectRef: { resource: 'nodes', name: 'ip-10-0-42-17.ec2.internal', apiVersion: 'v1' },
    responseObject: { kind: 'Node', metadata: { name: 'ip-10-0-42-17.ec2.internal' }, spec: { providerID: 'aws:///us-east-1a/i-0a1b2c3d4e5f60718' } },
    requestReceivedTimestamp: '2026-11-20T16:00:00Z',
  }),
  webIdentityAssume({
    time: '2026-11-21T02:25:10Z',
    roleName: 'checkout-irsa',
    namespace: 'payments',
    serviceAccount: 'checkout',
    sessionName: 'botocore-session-1763691910',
    accessKeyId: 'ASIAEXAMPLEATTACK003',
    sourceIp: '203.0.113.10',
  }),
  cloudTrailRecord({
    eventTime: '2026-11-21T02:29:01Z',
    userIdentity: assumedRoleIdentity('checkout-irsa', 'botocore-session-1763691910', 'ASIAEXAMPLEATTACK003'),
    sourceIPAddress: '198.51.100.23',
  }),
];

describe('the identity graph', () => {
  it('links pod, service account, node, instance, image digest, IRSA role, session, key and address', () => {
    const graph = graphOf(normalizeAll(scenario));
    const podNode = graph.get(nodeKey.pod(CLUSTER, 'payments', 'checkout-7d9f8b6c5-x2k4q'))!;
    expect(podNode.attrs).toMatchObject({
      serviceAccount: { value: 'checkout' },
      node: { value: 'ip-10-0-42-17.ec2.internal' },
      podIp: { value: '10.0.42.133' },
      imageDigest: { value: 'sha256:9f2b' },
      irsaRoleArn: { value: ROLE_ARN },
      ownerKind: { value: 'Deployment' },
      ownerName: { value: 'checkout' },
    });
    const binding = nodeKey.webIdentity(ACCOUNT, 'checkout-irsa', 'payments', 'checkout');
    const session = nodeKey.session(ACCOUNT, 'checkout-irsa', 'botocore-session-1763691910');
    expect(Object.keys(podNode.edges)).toContain(binding);
    expect(Object.keys(graph.get(binding)!.edges).sort()).toEqual([session, nodeKey.pod(CLUSTER, 'payments', 'checkout-7d9f8b6c5-x2k4q')].sort());
    expect(graph.get(session)!.attrs.via?.value).toBe('irsa');
    const key = graph.get(nodeKey.accessKey('ASIAEXAMPLEATTACK003'))!;
    expect(Object.keys(key.edges).sort()).toEqual([nodeKey.ip('198.51.100.23'), session].sort());
    expect(Object.keys(graph.get(nodeKey.instance('i-0a1b2c3d4e5f60718'))!.edges)).toEqual([nodeKey.node(CLUSTER, 'ip-10-0-42-17.ec2.internal')]);
    expect(Object.keys(graph.get(nodeKey.image('sha256:9f2b'))!.edges)).toEqual([nodeKey.pod(CLUSTER, 'payments', 'checkout-7d9f8b6c5-x2k4q')]);
  });

  it('comes out the same in any order and under duplicate delivery', () => {
    const input = normalizeAll(scenario);
    const reference = snapshot(graphOf(input));
    for (let seed = 1; seed <= 20; seed++) {
      const shuffled = shuffle([...input, ...input.slice(0, seed % input.length)], seed);
      expect(snapshot(graphOf(shuffled))).toEqual(reference);
    }
  });

  it('links EKS Pod Identity sessions to the pod named in their session tags', () => {
    const record = cloudTrailRecord({
      eventVersion: '1.08',
      userIdentity: { type: 'AWSService', invokedBy: 'pods.eks.amazonaws.com' },
      eventName: 'AssumeRole',
      sourceIPAddress: 'pods.eks.amazonaws.com',
      userAgent: 'pods.eks.amazonaws.com',
      requestParameters: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/app1-role`,
        roleSessionName: 'eks-prod-east-app1-d1861451',
        tags: [
          { key: 'eks-cluster-name', value: CLUSTER },
          { key: 'kubernetes-namespace', value: 'app1' },
          { key: 'kubernetes-service-account', value: 'app1-sa' },
          { key: 'kubernetes-pod-name', value: 'app1-5d9c-abcde' },
          { key: 'kubernetes-pod-uid', value: '376f3cff-44fe-4a00-b9d4-970555f311d3' },
        ],
      },
      responseElements: { credentials: { accessKeyId: 'ASIAEXAMPLEPODID0001' } },
    });
    const graph = graphOf(normalizeAll([record]));
    const session = nodeKey.session(ACCOUNT, 'app1-role', 'eks-prod-east-app1-d1861451');
    const podNode = graph.get(nodeKey.pod(CLUSTER, 'app1', 'app1-5d9c-abcde'))!;
    expect(Object.keys(podNode.edges)).toEqual([session]);
    expect(podNode.attrs.serviceAccount?.value).toBe('app1-sa');
    expect(graph.get(session)!.attrs.via?.value).toBe('pod-identity');
    expect(Object.keys(graph.get(nodeKey.accessKey('ASIAEXAMPLEPODID0001'))!.edges)).toEqual([session]);
  });

  it('links an EC2 instance-role session to its instance by the session name', () => {
    const record = cloudTrailRecord({
      userIdentity: assumedRoleIdentity('prod-east-node-role', 'i-0a1b2c3d4e5f60718', 'ASIAEXAMPLENODE00001'),
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
    });
    const graph = graphOf(normalizeAll([record]));
    const session = graph.get(nodeKey.session(ACCOUNT, 'prod-east-node-role', 'i-0a1b2c3d4e5f60718'))!;
    expect(session.attrs.via?.value).toBe('instance-role');
    expect(Object.keys(session.edges)).toContain(nodeKey.instance('i-0a1b2c3d4e5f60718'));
  });
});

function snapshot(store: MemoryStore) {
  const keys = [
    nodeKey.pod(CLUSTER, 'payments', 'checkout-7d9f8b6c5-x2k4q'),
    nodeKey.webIdentity(ACCOUNT, 'checkout-irsa', 'payments', 'checkout'),
    nodeKey.session(ACCOUNT, 'checkout-irsa', 'botocore-session-1763691910'),
    nodeKey.accessKey('ASIAEXAMPLEATTACK003'),
    nodeKey.node(CLUSTER, 'ip-10-0-42-17.ec2.internal'),
    nodeKey.instance('i-0a1b2c3d4e5f60718'),
    nodeKey.egress('203.0.113.10'),
  ];
  return keys.map((key) => store.get(key));
}
