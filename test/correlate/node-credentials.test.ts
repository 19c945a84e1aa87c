import { describe, expect, it } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { Pipeline } from '#core/pipeline';
import { memoryStore } from '../fixtures/store.ts';
import { normalizeAll } from '../fixtures/normalize.ts';
import { configSchema } from '#core/config';
import { CLUSTER, assumedRoleIdentity, auditEvent, cloudTrailRecord, podCreate, podObject } from '../fixtures/records.ts';

const NODE = 'ip-10-0-42-17.ec2.internal';
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const OTHER_INSTANCE = 'i-0f9e8d7c6b5a40312';

function nodeRegistration(name: string, instanceId: string) {
  return auditEvent({
    verb: 'create',
    level: 'RequestResponse',
    user: { username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] },
    objectRef: { resource: 'nodes', name, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    responseObject: { kind: 'Node', apiVersion: 'v1', metadata: { name }, spec: { providerID: `aws:///us-east-1a/${instanceId}` } },
    requestReceivedTimestamp: '2026-11-20T08:00:00Z',
  });
}

const nodeCall = (instanceId: string, accessKeyId: string, time: string, sourceIp: string) =>
  cloudTrailRecord({
    eventTime: time,
    userIdentity: {
      ...assumedRoleIdentity('prod-east-node-role', instanceId, accessKeyId),
      sessionContext: { ...(assumedRoleIdentity('prod-east-node-role', instanceId, accessKeyId).sessionContext as object), ec2RoleDelivery: '2.0' },
    },
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    sourceIPAddress: sourceIp,
  });

function scenario() {
  // Node agents in kube-system, rolled by their controller: host-level, yet routine.
  const onNode = (name: string, namespace: string, spec: Record<string, unknown>) =>
    podCreate(podObject({ name, namespace, node: NODE, spec }), '2026-11-20T09:00:00Z');
  return [
    nodeRegistration(NODE, INSTANCE),
    nodeRegistration('ip-10-0-51-204.ec2.internal', OTHER_INSTANCE),
    onNode('web-1', 'shop', {}),
    onNode('aws-node-abcde', 'kube-system', { hostNetwork: true }),
    onNode('log-shipper-x1', 'kube-system', { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }),
    nodeCall(INSTANCE, 'ASIAEXAMPLENODE00001', '2026-11-21T01:00:00Z', '203.0.113.10'),
    // Egress is learned from two different instances calling from one address over at least ten minutes.
    nodeCall(OTHER_INSTANCE, 'ASIAEXAMPLENODE00002', '2026-11-21T01:15:05Z', '203.0.113.10'),
    nodeCall(INSTANCE, 'ASIAEXAMPLENODE00001', '2026-11-21T03:10:00Z', '198.51.100.99'),
  ];
}

describe("a node's instance-role credentials used from outside", () => {
  it('names the node and the pods that could have taken them, host-level pods first', async () => {
    const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
    await pipeline.ingest(normalizeAll(scenario()));
    const { incidents } = await pipeline.correlate();
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident!.workload).toMatchObject({ cluster: CLUSTER, node: NODE, pod: null });
    expect(incident!.identities).toEqual([expect.objectContaining({ via: 'instance-role', sessions: [INSTANCE], unusualSourceIps: ['198.51.100.99'] })]);
    expect(incident!.blastRadius.podsOnNode).toEqual([
      { pod: `${CLUSTER}/kube-system/aws-node-abcde`, reason: 'hostNetwork' },
      { pod: `${CLUSTER}/kube-system/log-shipper-x1`, reason: 'hostPath /var/log' },
      { pod: `${CLUSTER}/shop/web-1`, reason: expect.stringMatching(/^runs on the node/) },
    ]);
    expect(incident!.plan.approval).toContainEqual({ action: 'cordon-node', target: NODE, reason: expect.any(String) });
    expect(incident!.plan.automatic.map((action) => action.action)).not.toContain('cordon-node');
  });

  it('finds the misuse when the node registration is read after the calls', async () => {
    const records = scenario();
    const reordered = [...records.slice(2), ...records.slice(0, 2)];
    const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
    for (const record of reordered) await pipeline.ingest(normalizeAll([record]));
    const { incidents } = await pipeline.correlate();
    expect(incidents.map((incident) => incident.workload.node)).toEqual([NODE]);
  });

  it('does not flag node calls from the NAT address several nodes share', async () => {
    const out = emptyOutput();
    scenario()
      .slice(0, -1)
      .forEach((record, index) => normalizeValue(record, index + 1, { file: 't', defaultCluster: CLUSTER }, out));
    const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
    await pipeline.ingest(out.events);
    expect((await pipeline.correlate()).incidents).toEqual([]);
  });
});
