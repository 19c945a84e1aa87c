import { DescribeNatGatewaysCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '#core/config';
import type { MemberCredentials } from '#adapters/containment/account-clients';
import { readClusterNetworks } from '#adapters/enrichment/cluster-network';
import { type NetworkAccounts, networkClientsOf } from '#adapters/enrichment/network-clients';

/**
 * A configured cluster's network is read in the cluster's own account and region: the function's
 * clients at home, the member role's in another account, and never the home account's for a
 * cluster of another (a same-named VPC there is another VPC).
 */
const ec2 = mockClient(EC2Client);
const eks = mockClient(EKSClient);
const sts = mockClient(STSClient);
const HOME = '111122223333';
const MEMBER = '222233334444';
const EXPIRES = new Date('2099-01-01T00:00:00Z');

/** The clients built, with the region and the access key they were built with. */
let built: { region: string | undefined; accessKeyId: string | undefined }[];

function clientsOf(accounts: NetworkAccounts) {
  return networkClientsOf({
    accounts,
    sts: new STSClient({ region: 'eu-west-1' }),
    clientsIn: (region, credentials?: MemberCredentials) => {
      built.push({ region, accessKeyId: credentials?.accessKeyId });
      return { ec2: new EC2Client({ region: region ?? 'eu-west-1', credentials }), eks: new EKSClient({ region: region ?? 'eu-west-1', credentials }) };
    },
  });
}

const ORGANIZATION = { homeAccountId: HOME, memberRoleName: 'pivotguard-member-reader' };

beforeEach(() => {
  for (const mock of [ec2, eks, sts]) mock.reset();
  built = [];
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAEXAMPLEMEMBER001', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: EXPIRES },
  });
  eks.on(DescribeClusterCommand).resolves({ cluster: { resourcesVpcConfig: { vpcId: 'vpc-0a1b2c3d4e5f60718' } } });
  ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
});

describe('networkClientsOf', () => {
  it('reads the home account’s clusters with the function’s own clients, one pair per region', async () => {
    const of = clientsOf(ORGANIZATION);
    const first = await of({});
    expect(await of({ accountId: HOME })).toBe(first);
    expect(await of({ region: 'us-west-2' })).not.toBe(first);
    expect(built).toEqual([
      { region: undefined, accessKeyId: undefined },
      { region: 'us-west-2', accessKeyId: undefined },
    ]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('reads another account’s cluster through its member role, in the cluster’s region', async () => {
    const access = await clientsOf(ORGANIZATION)({ accountId: MEMBER, region: 'eu-central-1' });
    expect('refused' in access).toBe(false);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/pivotguard-member-reader`, RoleSessionName: 'pivotguard-network' },
    ]);
    expect(built).toEqual([{ region: 'eu-central-1', accessKeyId: 'ASIAEXAMPLEMEMBER001' }]);
  });

  it('refuses another account’s cluster without a member role, or when STS refuses the role', async () => {
    expect(await clientsOf({ homeAccountId: HOME })({ accountId: MEMBER })).toEqual({ refused: expect.stringContaining(MEMBER) });
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    expect(await clientsOf(ORGANIZATION)({ accountId: MEMBER })).toEqual({ refused: expect.stringContaining('AccessDenied') });
    expect(built).toEqual([]);
  });
});

describe('readClusterNetworks across accounts', () => {
  it('asks EKS of the cluster’s account for its name, and names a cluster it may not read as a failure', async () => {
    const clusters = configSchema.parse({
      clusters: {
        'prod-east': {},
        [`payments@${MEMBER}`]: { region: 'eu-central-1' },
        data: { accountId: '333344445555' },
      },
    }).clusters;
    sts
      .on(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::333344445555:role/pivotguard-member-reader' })
      .rejects(Object.assign(new Error('no'), { name: 'AccessDenied' }));
    const { network, failures } = await readClusterNetworks(clientsOf(ORGANIZATION), clusters);
    expect(Object.keys(network.clusters).sort()).toEqual(['payments@222233334444', 'prod-east']);
    expect(
      eks
        .commandCalls(DescribeClusterCommand)
        .map((call) => call.args[0].input.name)
        .sort(),
    ).toEqual(['payments', 'prod-east']);
    expect(failures).toEqual([{ cluster: 'data', call: 'sts:AssumeRole', error: expect.stringContaining('333344445555') }]);
    expect(built).toContainEqual({ region: 'eu-central-1', accessKeyId: 'ASIAEXAMPLEMEMBER001' });
  });
});
