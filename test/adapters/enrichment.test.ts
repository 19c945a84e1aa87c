import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeClusterCommand, DescribePodIdentityAssociationCommand, EKSClient, ListPodIdentityAssociationsCommand } from '@aws-sdk/client-eks';
import { IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { accessKeysToBackfill, enrichIncident, forBatch } from '#adapters/enrichment/index';
import { CloudTrailSessionBackfill } from '#adapters/enrichment/session-backfill';
import { EksClusterDetails } from '#adapters/enrichment/cluster-details';
import { IamRolePolicies } from '#adapters/enrichment/role-policies';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';
import { ACCOUNT, cloudTrailRecord } from '../fixtures/records.ts';

const iam = mockClient(IAMClient);
const eks = mockClient(EKSClient);
const cloudTrail = mockClient(CloudTrailClient);

let pivot: Incident;

beforeAll(async () => {
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
});

beforeEach(() => {
  iam.reset();
  eks.reset();
  cloudTrail.reset();
  iam.on(ListAttachedRolePoliciesCommand, { RoleName: 'checkout-irsa' }).resolves({
    AttachedPolicies: [{ PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }],
    IsTruncated: false,
  });
  iam.on(ListRolePoliciesCommand, { RoleName: 'checkout-irsa' }).resolves({ PolicyNames: ['checkout-secrets'], IsTruncated: false });
});

/** Another incident on the same role: a second pod of the deployment. */
function sibling(incident: Incident): Incident {
  return { ...incident, id: 'inc-sibling', workload: { ...incident.workload, pod: 'checkout-7d9f8b6c5-m8z2p' } };
}

describe('role policies', () => {
  it('asks IAM once per role per batch, however many incidents share the role', async () => {
    const batch = forBatch({ rolePolicies: new IamRolePolicies(new IAMClient({})) });
    const results = await Promise.all([pivot, sibling(pivot), pivot].map((incident) => enrichIncident(incident, batch)));
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(1);
    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(1);
    for (const { incident, problems } of results) {
      expect(problems).toEqual([]);
      expect(incident.blastRadius.rolePermissions).toEqual([{ roleArn: ROLE_ARN, policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] }]);
    }
  });

  it('asks again in the next batch, so that a changed policy shows', async () => {
    const rolePolicies = new IamRolePolicies(new IAMClient({}));
    await enrichIncident(pivot, forBatch({ rolePolicies }));
    await enrichIncident(pivot, forBatch({ rolePolicies }));
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(2);
  });

  it('replaces the local-replay placeholder note once IAM was asked', async () => {
    expect(pivot.blastRadius.notes.some((note) => note.includes('read from IAM by the deployed stack'))).toBe(true);
    const { incident } = await enrichIncident(pivot, forBatch({ rolePolicies: new IamRolePolicies(new IAMClient({})) }));
    expect(incident.blastRadius.notes.some((note) => note.includes('read from IAM by the deployed stack'))).toBe(false);
    expect(incident.blastRadius.notes).toContain(pivot.blastRadius.notes.find((note) => note.includes('other pod(s)')));
  });

  it('turns a role IAM cannot read into a note and a problem, once per batch', async () => {
    const foreign = `arn:aws:iam::444455556666:role/partner-reader`;
    iam.on(ListAttachedRolePoliciesCommand, { RoleName: 'partner-reader' }).rejects(new NoSuchEntityException({ message: 'role not found', $metadata: {} }));
    const withForeignRole: Incident = { ...pivot, identities: [{ ...pivot.identities[0]!, roleArn: foreign }] };
    const batch = forBatch({ rolePolicies: new IamRolePolicies(new IAMClient({})) });
    const [first] = await Promise.all([enrichIncident(withForeignRole, batch), enrichIncident(withForeignRole, batch)]);
    expect(first.problems).toEqual([`read policies of ${foreign}: NoSuchEntityException`]);
    expect(first.incident.blastRadius.notes).toContain('What role partner-reader may do could not be read from IAM (NoSuchEntityException).');
    expect(first.incident.blastRadius.rolePermissions).toEqual([]);
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(1);
  });

  it('reads every page of a role with many policies, up to a bound', async () => {
    iam
      .on(ListAttachedRolePoliciesCommand, { RoleName: 'checkout-irsa' })
      .resolvesOnce({ AttachedPolicies: [{ PolicyName: 'A' }], IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ AttachedPolicies: [{ PolicyName: 'B' }], IsTruncated: false });
    iam.on(ListRolePoliciesCommand, { RoleName: 'checkout-irsa' }).resolves({ PolicyNames: [], IsTruncated: false });
    expect(await new IamRolePolicies(new IAMClient({})).policiesOf(`arn:aws:iam::${ACCOUNT}:role/team/checkout-irsa`)).toEqual(['A', 'B']);
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)[1]!.args[0].input).toMatchObject({ RoleName: 'checkout-irsa', Marker: 'm1' });
  });
});

describe('cluster details', () => {
  beforeEach(() => {
    eks.on(DescribeClusterCommand, { name: 'prod-east' }).resolves({
      cluster: { name: 'prod-east', version: '1.31', resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] } },
    });
    eks
      .on(ListPodIdentityAssociationsCommand)
      .resolves({ associations: [{ clusterName: 'prod-east', namespace: 'payments', serviceAccount: 'checkout', associationId: 'a-0123456789abcdef0' }] });
    eks
      .on(DescribePodIdentityAssociationCommand)
      .resolves({ association: { associationId: 'a-0123456789abcdef0', roleArn: `arn:aws:iam::${ACCOUNT}:role/checkout-pod-identity` } });
    iam.on(ListAttachedRolePoliciesCommand, { RoleName: 'checkout-pod-identity' }).resolves({ AttachedPolicies: [{ PolicyName: 'AmazonDynamoDBFullAccess' }] });
    iam.on(ListRolePoliciesCommand, { RoleName: 'checkout-pod-identity' }).resolves({ PolicyNames: [] });
  });

  it('adds the Pod Identity role of the service account to the blast radius and notes a public API endpoint', async () => {
    const batch = forBatch({ rolePolicies: new IamRolePolicies(new IAMClient({})), clusterDetails: new EksClusterDetails(new EKSClient({})) });
    const [{ incident }] = await Promise.all([enrichIncident(pivot, batch), enrichIncident(sibling(pivot), batch)]);
    expect(incident.blastRadius.rolePermissions).toEqual([
      { roleArn: ROLE_ARN, policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] },
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/checkout-pod-identity`, policies: ['AmazonDynamoDBFullAccess'] },
    ]);
    expect(incident.blastRadius.notes).toContain('Service account payments/checkout can also get role checkout-pod-identity through EKS Pod Identity.');
    expect(incident.blastRadius.notes).toContain(
      'The Kubernetes API of prod-east is reachable from the whole internet: a stolen service-account token works from anywhere.',
    );
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(1);
    expect(eks.commandCalls(ListPodIdentityAssociationsCommand)).toHaveLength(1);
    expect(eks.commandCalls(ListPodIdentityAssociationsCommand)[0]!.args[0].input).toMatchObject({
      clusterName: 'prod-east',
      namespace: 'payments',
      serviceAccount: 'checkout',
    });
  });

  it('says nothing about a private endpoint', async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'prod-east', resourcesVpcConfig: { endpointPublicAccess: false } } });
    const { incident } = await enrichIncident(pivot, forBatch({ clusterDetails: new EksClusterDetails(new EKSClient({})) }));
    expect(incident.blastRadius.notes.some((note) => note.includes('reachable from'))).toBe(false);
  });
});

describe('session backfill', () => {
  it('looks up a key by AccessKeyId and returns the raw CloudTrail records', async () => {
    const record = cloudTrailRecord({ eventName: 'ListBuckets', eventSource: 's3.amazonaws.com' });
    cloudTrail.on(LookupEventsCommand).resolves({
      Events: [
        { EventId: 'e1', CloudTrailEvent: JSON.stringify(record) },
        { EventId: 'e2', CloudTrailEvent: 'not json' },
      ],
    });
    const window = { from: new Date('2026-11-21T01:13:04Z'), to: new Date('2026-11-21T03:00:00Z') };
    const records = await new CloudTrailSessionBackfill(new CloudTrailClient({})).recentCalls('ASIAEXAMPLEATTACK003', window);
    // Text that is not JSON is handed on for the normalizer to reject with a reason.
    expect(records).toEqual([record, 'not json']);
    expect(cloudTrail.commandCalls(LookupEventsCommand)[0]!.args[0].input).toEqual({
      LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'ASIAEXAMPLEATTACK003' }],
      StartTime: window.from,
      EndTime: window.to,
      MaxResults: 50,
    });
  });

  it('asks once per key per batch', async () => {
    cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });
    const batch = forBatch({ sessionBackfill: new CloudTrailSessionBackfill(new CloudTrailClient({})) });
    const window = { from: new Date(0), to: new Date() };
    await Promise.all([batch.sessionBackfill!.recentCalls('ASIA1', window), batch.sessionBackfill!.recentCalls('ASIA1', window)]);
    expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });

  it('is wanted for pod incidents with a linked role and no cloud signal yet, bounded', () => {
    const podOnly: Incident = { ...pivot, signals: pivot.signals.filter((signal) => signal.source !== 'cloudtrail') };
    expect(accessKeysToBackfill([pivot], 5)).toEqual([]);
    expect(accessKeysToBackfill([podOnly], 5)).toEqual(['ASIAEXAMPLEATTACK003', 'ASIAEXAMPLENORMAL001']);
    expect(accessKeysToBackfill([podOnly], 1)).toEqual(['ASIAEXAMPLEATTACK003']);
    expect(accessKeysToBackfill([{ ...podOnly, workload: { ...podOnly.workload, pod: null } }], 5)).toEqual([]);
  });
});
