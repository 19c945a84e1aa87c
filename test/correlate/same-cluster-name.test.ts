import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { incidentFinding } from '#core/respond/asff';
import { incidentView } from '#core/view/incident-view';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';
import { CLUSTER, cloudTrailRecord, guardDutyFinding, logsDataMessage, podCreate, podObject } from '../fixtures/records.ts';
import { ACCOUNT_B } from '../fixtures/scenarios/two-accounts.ts';

/**
 * Two accounts each run a cluster named prod-east, with a pod of the same namespace and name: EKS
 * names are unique only within an account. The attacker's pod is in account A (the pivot
 * scenario); account B's pod is another pod, with a role of its own, and B's finding about it is
 * another story. Were clusters keyed by name, B's finding would land on A's pod and its stolen role.
 */
const POD = 'checkout-7d9f8b6c5-x2k4q';
const B_CLUSTER = `${CLUSTER}@${ACCOUNT_B}`;
const B_ROLE = `arn:aws:iam::${ACCOUNT_B}:role/checkout-b`;

function inAccountB(): Record<string, unknown>[] {
  const pod = podObject({ name: POD, namespace: 'payments', serviceAccount: 'checkout', roleArn: B_ROLE, replicaSet: 'checkout-7d9f8b6c5', podIp: '10.9.0.7' });
  const base = guardDutyFinding();
  return [
    // B's audit log arrives through its subscription: the message's owner is B.
    { ...logsDataMessage([podCreate(pod, '2026-11-21T01:00:00Z')]), owner: ACCOUNT_B },
    guardDutyFinding({
      id: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0',
      accountId: ACCOUNT_B,
      type: 'Execution:Runtime/NewBinaryExecuted',
      createdAt: '2026-11-21T03:10:00.000Z',
      updatedAt: '2026-11-21T03:10:00.000Z',
      service: { ...(base.service as object), eventFirstSeen: '2026-11-21T03:09:00.000Z', eventLastSeen: '2026-11-21T03:09:00.000Z' },
      resource: {
        ...(base.resource as object),
        eksClusterDetails: { name: CLUSTER, arn: `arn:aws:eks:us-east-1:${ACCOUNT_B}:cluster/${CLUSTER}` },
        kubernetesDetails: { kubernetesWorkloadDetails: { name: POD, type: 'pods', namespace: 'payments', containers: [{ name: 'app' }] } },
      },
    }),
  ];
}

function incidentIn(incidents: Incident[], cluster: string): Incident {
  const matching = incidents.filter((incident) => incident.workload.cluster === cluster && incident.workload.pod === POD);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

const roles = (incident: Incident) => incident.identities.map((identity) => identity.roleArn);
const targets = (incident: Incident) => [...incident.plan.automatic, ...incident.plan.approval].map((step) => step.target);

describe('two accounts with a cluster of the same name', () => {
  it('tells each account’s pod its own story: B’s finding never reaches A’s pod or its role', async () => {
    const incidents = await incidentsOf([...pivotScenario(), ...inAccountB()]);
    const inA = incidentIn(incidents, CLUSTER);
    const inB = incidentIn(incidents, B_CLUSTER);
    expect(inA.id).not.toBe(inB.id);
    expect(roles(inA)).toContain(ROLE_ARN);
    expect(roles(inB)).not.toContain(ROLE_ARN);
    expect(targets(inB)).not.toContain(ROLE_ARN);
    expect(inB.signals.every((signal) => !inA.signals.includes(signal))).toBe(true);
  });

  it('names B’s account wherever B’s incident is shown, and B’s cluster by B’s ARN in Security Hub', async () => {
    const inB = incidentIn(await incidentsOf([...pivotScenario(), ...inAccountB()]), B_CLUSTER);
    expect(incidentView(inB).accounts.map((account) => account.id)).toEqual([ACCOUNT_B]);
    const finding = incidentFinding(inB, undefined, { accountId: '999988887777', region: 'us-east-1' });
    expect(finding.Resources.find((resource) => resource.Type === 'AwsEksCluster')?.Id).toBe(`arn:aws:eks:us-east-1:${ACCOUNT_B}:cluster/${CLUSTER}`);
    expect(finding.Resources.filter((resource) => resource.Type === 'AwsAccount').map((resource) => resource.Id)).toEqual([`AWS::::Account:${ACCOUNT_B}`]);
  });

  it('links an EKS Pod Identity session to the pod of the cluster in the account its tags name', async () => {
    const podIdentity = cloudTrailRecord({
      eventTime: '2026-11-21T02:00:00Z',
      recipientAccountId: ACCOUNT_B,
      userIdentity: { type: 'AWSService', invokedBy: 'pods.eks.amazonaws.com' },
      eventName: 'AssumeRole',
      requestParameters: {
        roleArn: B_ROLE,
        roleSessionName: 'eks-prod-east-checkout-b',
        tags: [
          { key: 'eks-cluster-arn', value: `arn:aws:eks:us-east-1:${ACCOUNT_B}:cluster/${CLUSTER}` },
          { key: 'eks-cluster-name', value: CLUSTER },
          { key: 'kubernetes-namespace', value: 'payments' },
          { key: 'kubernetes-pod-name', value: POD },
        ],
      },
      responseElements: { credentials: { accessKeyId: 'ASIAEXAMPLEPODIDB001' } },
    });
    const incidents = await incidentsOf([...pivotScenario(), ...inAccountB(), podIdentity]);
    const inB = incidentIn(incidents, B_CLUSTER);
    expect(inB.identities.find((identity) => identity.roleArn === B_ROLE)).toMatchObject({ via: 'pod-identity', accountId: ACCOUNT_B });
    expect(roles(incidentIn(incidents, CLUSTER))).not.toContain(B_ROLE);
  });
});
