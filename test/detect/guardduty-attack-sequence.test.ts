import { describe, expect, it } from 'vitest';
import type { GuardDutyFinding } from '#core/model/event';
import type { Incident } from '#core/model/incident';
import { guardDutyFacts } from '#core/link/guardduty-facts';
import { nodeKey } from '#core/model/graph';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { ACCOUNT, CLUSTER, guardDutyFinding } from '../fixtures/records.ts';
import { INSTANCE, NODE, NODE_ROLE, NODE_ROLE_ID, STOLEN_KEY, instanceCall, nodeRegistration } from '../fixtures/scenarios/node-credentials.ts';
import {
  accessKeyResource,
  attackSequence,
  clusterResource,
  instanceResource,
  podResource,
  roleSessionActor,
  sequenceOf,
  sequenceSignal,
} from '../fixtures/scenarios/attack-sequence.ts';
import { normalized, signalsOf } from './detect-helpers.ts';

/** What the pivot scenario's attacker touched: the shelled pod and the IRSA key used from outside. */
const PIVOT_POD = { namespace: 'payments', name: 'checkout-7d9f8b6c5-x2k4q' };
const PIVOT_KEY = 'ASIAEXAMPLEATTACK003';
const PIVOT_ROLE = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;
const pivotActor = roleSessionActor({ roleArn: PIVOT_ROLE, roleId: 'AROAEXAMPLEROLEID', sessionName: 'botocore-session-1763691910', accessKeyId: PIVOT_KEY });
const pivotKey = accessKeyResource(PIVOT_KEY, { principalId: 'AROAEXAMPLEROLEID:botocore-session-1763691910', userName: 'checkout-irsa' });

const compromisedCluster = attackSequence(
  'AttackSequence:EKS/CompromisedCluster',
  sequenceOf({
    resources: [clusterResource(), podResource(PIVOT_POD.namespace, PIVOT_POD.name), pivotKey],
    actors: [pivotActor],
    signals: [
      sequenceSignal('Execution:Runtime/ReverseShell', { resourceUids: [`arn:aws:eks:us-east-1:${ACCOUNT}:cluster/${CLUSTER}`] }),
      sequenceSignal('GetCallerIdentity', { type: 'CLOUD_TRAIL', resourceUids: [PIVOT_KEY], actorIds: [pivotActor.id as string] }),
    ],
  }),
);

function sequenceFinding(record: unknown): GuardDutyFinding {
  return normalized(record) as GuardDutyFinding;
}

function incidentWithSequence(incidents: Incident[], type: string): Incident {
  const incident = incidents.find((candidate) => candidate.signals.some((signal) => signal.title === `GuardDuty ${type}`));
  expect(incident, `an incident with ${type}`).toBeDefined();
  return incident!;
}

describe('guardduty.finding on attack sequences', () => {
  it('reads the cluster, pods, keys, instances and roles the sequence names', () => {
    const finding = sequenceFinding(
      attackSequence(
        'AttackSequence:EC2/CompromisedInstanceGroup',
        sequenceOf({ resources: [clusterResource(), podResource('payments', 'web-1'), pivotKey, instanceResource(INSTANCE)], actors: [pivotActor] }),
      ),
    );
    expect(finding.sequence).toMatchObject({
      clusters: [CLUSTER],
      workloads: [{ cluster: CLUSTER, namespace: 'payments', name: 'web-1', kind: 'PODS' }],
      accessKeys: [{ accessKeyId: PIVOT_KEY, principalId: 'AROAEXAMPLEROLEID:botocore-session-1763691910', userName: 'checkout-irsa' }],
      instanceIds: [INSTANCE],
      roleArns: [PIVOT_ROLE],
      actors: ['botocore-session-1763691910'],
      signalCount: 1,
    });
  });

  it('reads the older CamelCase resource types and the SDK name of the workload kind alike', () => {
    const pod = podResource('payments', 'web-1');
    const camel = {
      ...pod,
      resourceType: 'KubernetesWorkload',
      data: { kubernetesWorkload: { namespace: 'payments', kubernetesResourcesTypes: 'PODS' } },
    };
    const finding = sequenceFinding(
      attackSequence('AttackSequence:EKS/CompromisedCluster', sequenceOf({ resources: [{ ...clusterResource(), resourceType: 'EKSCluster' }, camel] })),
    );
    expect(finding.sequence!.workloads).toEqual([{ cluster: CLUSTER, namespace: 'payments', name: 'web-1', kind: 'PODS' }]);
  });

  it('puts the first pod, key and instance in the subject and every further one in alsoNamed', () => {
    const [signal] = signalsOf(
      'guardduty.finding',
      attackSequence(
        'AttackSequence:EKS/CompromisedCluster',
        sequenceOf({
          resources: [clusterResource(), podResource('payments', 'web-1'), podResource('shop', 'cart-2'), pivotKey, instanceResource(INSTANCE)],
          actors: [roleSessionActor({ roleArn: PIVOT_ROLE, roleId: 'AROAEXAMPLEROLEID', sessionName: 's2', accessKeyId: 'ASIAEXAMPLEOTHER0002' })],
        }),
      ),
    );
    expect(signal).toMatchObject({
      severity: 'critical',
      objective: { technique: 'T1609 Container Administration Command' },
      subject: {
        cluster: CLUSTER,
        namespace: 'payments',
        pod: 'web-1',
        accessKeyId: PIVOT_KEY,
        instanceId: INSTANCE,
        roleArn: PIVOT_ROLE,
        alsoNamed: { pods: [{ cluster: CLUSTER, namespace: 'shop', name: 'cart-2' }], accessKeyIds: ['ASIAEXAMPLEOTHER0002'], instanceIds: [] },
      },
    });
  });

  it('leaves a workload without a cluster, or of another kind, out of the subject', () => {
    const deployment = podResource('payments', 'checkout');
    (deployment.data as { kubernetesWorkload: { type: string } }).kubernetesWorkload.type = 'DEPLOYMENTS';
    const twoClusters = [clusterResource(), clusterResource('prod-west'), podResource('payments', 'web-1'), deployment];
    const [signal] = signalsOf('guardduty.finding', attackSequence('AttackSequence:EKS/CompromisedCluster', sequenceOf({ resources: twoClusters })));
    expect(signal!.subject.pod).toBeUndefined();
    expect(signal!.subject.alsoNamed).toBeUndefined();
  });

  it('refuses names that are not Kubernetes names, so no part of a sequence can forge a graph key', () => {
    const forged = podResource('payments', `x|${CLUSTER}|kube-system|coredns-1`);
    const [signal] = signalsOf(
      'guardduty.finding',
      attackSequence('AttackSequence:EKS/CompromisedCluster', sequenceOf({ resources: [clusterResource(), forged] })),
    );
    expect(signal!.subject.pod).toBeUndefined();
  });
});

describe('attack sequences in correlation', () => {
  it('joins an EKS CompromisedCluster sequence naming the pivot pod and its stolen key to the pivot’s one critical incident', async () => {
    const incidents = await incidentsOf([...pivotScenario(), compromisedCluster]);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident).toMatchObject({ severity: 'critical', workload: { cluster: CLUSTER, namespace: PIVOT_POD.namespace, pod: PIVOT_POD.name } });
    expect(incident!.signals.filter((signal) => signal.rule === 'guardduty.finding').map((signal) => signal.title)).toEqual(
      expect.arrayContaining(['GuardDuty Execution:Runtime/ReverseShell', 'GuardDuty AttackSequence:EKS/CompromisedCluster']),
    );
  });

  it('joins an IAM CompromisedCredentials sequence naming only the access key through the key’s session', async () => {
    const credentials = attackSequence('AttackSequence:IAM/CompromisedCredentials', sequenceOf({ resources: [pivotKey] }), {
      firstSeen: '2026-11-21T02:29:01.000Z',
      lastSeen: '2026-11-21T02:40:00.000Z',
    });
    const incidents = await incidentsOf([...pivotScenario(), credentials]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.severity).toBe('critical');
    incidentWithSequence(incidents, 'AttackSequence:IAM/CompromisedCredentials');
  });

  it('joins a sequence whose only link is an actor’s credentials', async () => {
    const byActor = attackSequence('AttackSequence:IAM/CompromisedCredentials', sequenceOf({ actors: [pivotActor] }));
    expect(await incidentsOf([...pivotScenario(), byActor])).toHaveLength(1);
  });

  it('opens an incident of its own for a sequence naming nothing the graph knows', async () => {
    const elsewhere = attackSequence(
      'AttackSequence:EKS/CompromisedCluster',
      sequenceOf({
        resources: [
          clusterResource('prod-west'),
          podResource('batch', 'etl-5f6d7c8b9-q2w3e'),
          accessKeyResource('ASIAUNKNOWNKEY000009', { principalId: 'AROAOTHER:s', userName: 'etl' }),
        ],
      }),
    );
    const incidents = await incidentsOf([...pivotScenario(), elsewhere]);
    expect(incidents).toHaveLength(2);
    const own = incidentWithSequence(incidents, 'AttackSequence:EKS/CompromisedCluster');
    expect(own.signals).toHaveLength(1);
    expect(own).toMatchObject({ severity: 'critical', workload: { cluster: 'prod-west', namespace: 'batch', pod: 'etl-5f6d7c8b9-q2w3e' } });
  });

  it('joins two pivots a sequence names into one incident: every pod it names counts, not only the first', async () => {
    const secondShell = guardDutyFinding({
      id: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      resource: {
        resourceType: 'EKSCluster',
        eksClusterDetails: { name: CLUSTER },
        kubernetesDetails: {
          kubernetesWorkloadDetails: { name: 'cart-2', type: 'pods', namespace: 'shop', containers: [{ name: 'app', image: 'shop/cart:1.0' }] },
        },
      },
    });
    expect(await incidentsOf([...pivotScenario(), secondShell])).toHaveLength(2);
    const both = attackSequence(
      'AttackSequence:EKS/CompromisedCluster',
      sequenceOf({ resources: [clusterResource(), podResource('shop', 'cart-2'), podResource(PIVOT_POD.namespace, PIVOT_POD.name)] }),
    );
    expect(await incidentsOf([...pivotScenario(), secondShell, both])).toHaveLength(1);
  });

  it('ties a node’s stolen instance key that a sequence names to the node, as the key’s own finding would', async () => {
    const stolenKey = accessKeyResource(STOLEN_KEY, { principalId: `${NODE_ROLE_ID}:${INSTANCE}`, userName: NODE_ROLE });
    const group = attackSequence('AttackSequence:EC2/CompromisedInstanceGroup', sequenceOf({ resources: [stolenKey, instanceResource(INSTANCE)] }));
    const facts = guardDutyFacts(sequenceFinding(group));
    expect(facts).toContainEqual(
      expect.objectContaining({ key: nodeKey.session(ACCOUNT, NODE_ROLE, INSTANCE), attrs: expect.objectContaining({ via: 'instance-role' }) }),
    );
    const outsideUse = instanceCall({ time: '2026-11-21T03:10:00Z', sourceIp: '198.51.100.99' });
    const incidents = await incidentsOf([nodeRegistration(), outsideUse, group]);
    const incident = incidentWithSequence(incidents, 'AttackSequence:EC2/CompromisedInstanceGroup');
    expect(incident.workload.node).toBe(NODE);
  });
});

describe('a malformed attack sequence', () => {
  it('keeps the finding and the parts that can be read when others have the wrong types', async () => {
    const malformed = attackSequence('AttackSequence:EKS/CompromisedCluster', {
      uid: 42,
      resources: [
        'not a resource',
        null,
        { resourceType: 7, uid: 'x' },
        { ...podResource(PIVOT_POD.namespace, PIVOT_POD.name), data: { kubernetesWorkload: [] } },
        { ...clusterResource(), name: { nested: true } },
        { ...pivotKey, uid: 12345, name: ['ASIA'] },
        pivotKey,
      ],
      actors: { not: 'an array' },
      signals: 'several',
    });
    const finding = sequenceFinding(malformed);
    expect(finding.type).toBe('AttackSequence:EKS/CompromisedCluster');
    expect(finding.sequence).toMatchObject({ clusters: [CLUSTER], accessKeys: [{ accessKeyId: PIVOT_KEY }], actors: [], signalCount: 0 });
    // The workload lost its namespace and kind with its data: named, but not a pod pivotguard can place.
    expect(finding.sequence!.workloads).toEqual([{ cluster: CLUSTER, name: PIVOT_POD.name }]);
    expect(await incidentsOf([...pivotScenario(), malformed])).toHaveLength(1);
  });

  it('keeps the finding when the sequence itself is not an object', () => {
    for (const sequence of ['text', 3, [], null]) {
      const record = attackSequence('AttackSequence:IAM/CompromisedCredentials', sequence);
      expect(sequenceFinding(record).sequence).toBeUndefined();
      expect(signalsOf('guardduty.finding', record)).toHaveLength(1);
    }
  });
});
