import { DescribeClusterCommand, DescribePodIdentityAssociationCommand, EKSClient, ListPodIdentityAssociationsCommand } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type MemberCredentials, memberRoleClients } from '#adapters/containment/account-clients';
import { ClusterRegions } from '#adapters/containment/cluster-regions';
import { ClusterNotReadable, EksClusterDetails } from '#adapters/enrichment/cluster-details';

/**
 * Which EKS a cluster id is read in: a home cluster (plain name) through the analyzer's own
 * client, another account's (`NAME@ACCOUNT`) through that account's member reader role in
 * organization mode, asked by its EKS name; without organization mode, not at all.
 */
const eks = mockClient(EKSClient);
const sts = mockClient(STSClient);
const MEMBER = '222233334444';
const READER_ROLE = 'pivotguard-member-reader';
const HOME_KEY = 'AKIAEXAMPLEHOMEKEY01';
const MEMBER_KEY = 'ASIAEXAMPLEMEMBER001';
const NOW = new Date('2026-11-21T02:40:00.000Z');

/** The regions member clients were built for, in order. */
let builtRegions: (string | undefined)[];

function homeClient(): EKSClient {
  return new EKSClient({ region: 'eu-west-1', credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home' } });
}

function organization(regionOf?: (clusterId: string) => string | undefined, searchRegions?: ClusterRegions): EksClusterDetails {
  const members = memberRoleClients({
    memberRoleName: READER_ROLE,
    sts: new STSClient({ region: 'eu-west-1' }),
    clientOf: (credentials: MemberCredentials, region) => {
      builtRegions.push(region);
      return new EKSClient({ region: region ?? 'eu-west-1', credentials });
    },
    clock: () => NOW,
  });
  return new EksClusterDetails({ home: homeClient(), members, regionOf, searchRegions });
}

/** The access key and region of the client a call went out through: which account's credentials read, and where. */
async function senderOf(call: { thisValue: unknown }): Promise<{ key: string; region: string }> {
  const client = call.thisValue as EKSClient;
  const credentials = typeof client.config.credentials === 'function' ? await client.config.credentials() : client.config.credentials;
  return { key: credentials.accessKeyId, region: await client.config.region() };
}

const accessDenied = () => Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied', $metadata: {} });

beforeEach(() => {
  builtRegions = [];
  eks.reset();
  sts.reset();
  eks
    .on(DescribeClusterCommand)
    .resolves({ cluster: { version: '1.31', resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] } } });
  eks.on(ListPodIdentityAssociationsCommand).resolves({ associations: [{ associationId: 'a-0123456789abcdef0' }] });
  eks.on(DescribePodIdentityAssociationCommand).resolves({ association: { roleArn: `arn:aws:iam::${MEMBER}:role/data-reader` } });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: MEMBER_KEY, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(NOW.getTime() + 3600_000) },
  });
});

describe('organization mode', () => {
  it('looks for a member cluster of no configured region in the member regions, and reads it where EKS knows it', async () => {
    const notHere = Object.assign(new Error('No cluster found for name: prod.'), { name: 'ResourceNotFoundException' });
    eks.on(DescribeClusterCommand).callsFake(async (_input, getClient) => {
      if ((await (getClient() as EKSClient).config.region()) !== 'ap-southeast-2') throw notHere;
      return { cluster: { version: '1.31' } };
    });
    const details = organization(() => undefined, new ClusterRegions('eu-west-1', ['us-east-1', 'ap-southeast-2']));
    expect(await details.describe(`prod@${MEMBER}`)).toMatchObject({ name: `prod@${MEMBER}`, version: '1.31' });
    expect(builtRegions).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    // The Pod Identity lookup of the same cluster goes straight to where it was found.
    await details.podIdentityRoles(`prod@${MEMBER}`, 'payments', 'checkout');
    const listedIn = await Promise.all(eks.commandCalls(ListPodIdentityAssociationsCommand).map((call) => senderOf(call)));
    expect(listedIn.map((sender) => sender.region)).toEqual(['ap-southeast-2']);
  });

  it('reads a home cluster with its own client and plain name, assuming nothing', async () => {
    const facts = await organization().describe('prod-east');
    expect(facts).toMatchObject({ name: 'prod-east', version: '1.31', endpointPublicAccess: true });
    const [call] = eks.commandCalls(DescribeClusterCommand);
    expect(call!.args[0].input).toEqual({ name: 'prod-east' });
    expect((await senderOf(call!)).key).toBe(HOME_KEY);
    expect(sts.calls()).toHaveLength(0);
  });

  it("reads NAME@ACCOUNT through that account's reader role, asking EKS for NAME", async () => {
    const facts = await organization().describe(`prod@${MEMBER}`);
    expect(facts.name).toBe(`prod@${MEMBER}`);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/${READER_ROLE}`, RoleSessionName: 'pivotguard-enrichment' },
    ]);
    const [call] = eks.commandCalls(DescribeClusterCommand);
    expect(call!.args[0].input).toEqual({ name: 'prod' });
    expect((await senderOf(call!)).key).toBe(MEMBER_KEY);
  });

  it("lists the Pod Identity roles of another account's cluster there, by its EKS name, with one assumed session", async () => {
    const details = organization();
    const roles = await details.podIdentityRoles(`prod@${MEMBER}`, 'data', 'reader');
    expect(roles).toEqual([`arn:aws:iam::${MEMBER}:role/data-reader`]);
    expect(eks.commandCalls(ListPodIdentityAssociationsCommand)[0]!.args[0].input).toMatchObject({
      clusterName: 'prod',
      namespace: 'data',
      serviceAccount: 'reader',
    });
    expect(eks.commandCalls(DescribePodIdentityAssociationCommand)[0]!.args[0].input).toEqual({ clusterName: 'prod', associationId: 'a-0123456789abcdef0' });
    const senders = await Promise.all(eks.calls().map(senderOf));
    expect(senders.map((sender) => sender.key)).toEqual([MEMBER_KEY, MEMBER_KEY]);
    await details.describe(`prod@${MEMBER}`);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it("reads another account's cluster in its configured region, else in the function's", async () => {
    const details = organization((clusterId) => (clusterId === `prod@${MEMBER}` ? 'eu-central-1' : undefined));
    await details.describe(`prod@${MEMBER}`);
    await details.describe(`staging@${MEMBER}`);
    expect(builtRegions).toEqual(['eu-central-1', undefined]);
    const senders = await Promise.all(eks.commandCalls(DescribeClusterCommand).map(senderOf));
    expect(senders.map((sender) => sender.region)).toEqual(['eu-central-1', 'eu-west-1']);
  });

  it('refuses, naming the account and the role, when STS refuses the reader role, and reads nothing', async () => {
    sts.on(AssumeRoleCommand).rejects(accessDenied());
    const refusal = organization().describe(`prod@${MEMBER}`);
    await expect(refusal).rejects.toBeInstanceOf(ClusterNotReadable);
    await expect(refusal).rejects.toMatchObject({ accountId: MEMBER, clusterId: `prod@${MEMBER}` });
    await expect(refusal).rejects.toThrow(new RegExp(`account ${MEMBER}.*arn:aws:iam::${MEMBER}:role/${READER_ROLE}`));
    expect(eks.calls()).toHaveLength(0);
  });

  it('leaves throttling to the caller', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} }));
    await expect(organization().describe(`prod@${MEMBER}`)).rejects.toMatchObject({ name: 'Throttling' });
  });
});

describe('one account (no member role)', () => {
  it('refuses a cluster of another account, naming it, and never looks its name up here', async () => {
    const details = new EksClusterDetails(homeClient());
    await expect(details.describe(`prod@${MEMBER}`)).rejects.toMatchObject({ name: 'Error', accountId: MEMBER });
    await expect(details.describe(`prod@${MEMBER}`)).rejects.toThrow(`in account ${MEMBER}`);
    await expect(details.podIdentityRoles(`prod@${MEMBER}`, 'data', 'reader')).rejects.toBeInstanceOf(ClusterNotReadable);
    expect(eks.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });

  it('reads its own clusters by name', async () => {
    await new EksClusterDetails(homeClient()).describe('prod-east');
    expect(eks.commandCalls(DescribeClusterCommand)[0]!.args[0].input).toEqual({ name: 'prod-east' });
  });

  it('refuses NAME@ what is no account rather than reading NAME here', async () => {
    await expect(new EksClusterDetails(homeClient()).describe('prod-east@evil')).rejects.toThrow(/not a cluster id/);
    await expect(organization().describe('prod-east@evil')).rejects.toThrow(/not a cluster id/);
    expect(eks.calls()).toHaveLength(0);
  });
});
