import { DescribeNatGatewaysCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '#core/config';
import { CLUSTER_NETWORK_TTL_MS, ClusterNetworkCache, type ClusterNetworkFailure, readClusterNetworks } from '#adapters/enrichment/cluster-network';

const ec2 = mockClient(EC2Client);
const eks = mockClient(EKSClient);
const clients = { ec2: new EC2Client({ region: 'eu-west-1' }), eks: new EKSClient({ region: 'eu-west-1' }) };

const PROD_VPC = 'vpc-0a1b2c3d4e5f60718';
const STAGING_VPC = 'vpc-0fedcba9876543210';

const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
const denied = Object.assign(new Error('not authorized to perform: ec2:DescribeNatGateways'), { name: 'UnauthorizedOperation' });

function clustersOf(clusters: Record<string, { vpcIds?: string[] }>) {
  return configSchema.parse({ clusters }).clusters;
}

beforeEach(() => {
  ec2.reset();
  eks.reset();
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
});

describe('readClusterNetworks', () => {
  it('reads every page of NAT gateways, one /32 per public address, asking only for available gateways of the cluster’s VPC', async () => {
    ec2
      .on(DescribeNatGatewaysCommand)
      .resolvesOnce({
        NatGateways: [
          {
            NatGatewayId: 'nat-0aaa1111bbbb22223',
            VpcId: PROD_VPC,
            State: 'available',
            NatGatewayAddresses: [{ PublicIp: '203.0.113.10' }, { PublicIp: '203.0.113.11' }],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        NatGateways: [{ NatGatewayId: 'nat-0ccc3333dddd44445', VpcId: PROD_VPC, State: 'available', NatGatewayAddresses: [{ PublicIp: '203.0.113.12' }] }],
      });
    const { network, failures } = await readClusterNetworks(clients, clustersOf({ 'prod-east': { vpcIds: [PROD_VPC] } }));
    expect(failures).toEqual([]);
    expect(network.clusters['prod-east']!.natAddresses).toEqual([
      { cidr: '203.0.113.10/32', natGatewayId: 'nat-0aaa1111bbbb22223', vpcId: PROD_VPC },
      { cidr: '203.0.113.11/32', natGatewayId: 'nat-0aaa1111bbbb22223', vpcId: PROD_VPC },
      { cidr: '203.0.113.12/32', natGatewayId: 'nat-0ccc3333dddd44445', vpcId: PROD_VPC },
    ]);
    const calls = ec2.commandCalls(DescribeNatGatewaysCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input.Filter).toEqual([
      { Name: 'vpc-id', Values: [PROD_VPC] },
      { Name: 'state', Values: ['available'] },
    ]);
    expect(calls[1]!.args[0].input.NextToken).toBe('page-2');
    // The configuration names the VPC: EKS is not asked.
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(0);
  });

  it('takes only available gateways with a public address, whatever the answer holds', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        { NatGatewayId: 'nat-0aaa1111bbbb22223', VpcId: PROD_VPC, State: 'deleting', NatGatewayAddresses: [{ PublicIp: '203.0.113.10' }] },
        {
          NatGatewayId: 'nat-0ccc3333dddd44445',
          VpcId: PROD_VPC,
          State: 'available',
          ConnectivityType: 'private',
          NatGatewayAddresses: [{ PrivateIp: '10.0.0.9' }],
        },
        { NatGatewayId: 'nat-0eee5555ffff66667', VpcId: PROD_VPC, State: 'available', NatGatewayAddresses: [{ PublicIp: '203.0.113.12' }] },
      ],
    });
    const { network } = await readClusterNetworks(clients, clustersOf({ 'prod-east': { vpcIds: [PROD_VPC] } }));
    expect(network.clusters['prod-east']!.natAddresses.map((nat) => nat.natGatewayId)).toEqual(['nat-0eee5555ffff66667']);
  });

  it('asks EKS for the VPC of a cluster the configuration names none for, and reads each cluster’s own VPC', async () => {
    eks.on(DescribeClusterCommand, { name: 'staging' }).resolves({ cluster: { name: 'staging', resourcesVpcConfig: { vpcId: STAGING_VPC } } });
    ec2.on(DescribeNatGatewaysCommand).callsFake((input: { Filter: { Name: string; Values: string[] }[] }) => {
      const vpcId = input.Filter.find((filter) => filter.Name === 'vpc-id')!.Values[0]!;
      const address = vpcId === PROD_VPC ? '203.0.113.10' : '203.0.113.20';
      return { NatGateways: [{ NatGatewayId: `nat-0${vpcId.slice(5, 21)}`, VpcId: vpcId, State: 'available', NatGatewayAddresses: [{ PublicIp: address }] }] };
    });
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ VpcEndpointId: 'vpce-0a1b2c3d4e5f60718', VpcId: STAGING_VPC }] });
    const { network } = await readClusterNetworks(clients, clustersOf({ 'prod-east': { vpcIds: [PROD_VPC] }, staging: {} }));
    expect(network.clusters.staging!.vpcIds).toEqual([{ vpcId: STAGING_VPC, from: 'eks' }]);
    expect(network.clusters['prod-east']!.vpcIds).toEqual([{ vpcId: PROD_VPC, from: 'config' }]);
    expect(network.clusters.staging!.natAddresses.map((nat) => nat.cidr)).toEqual(['203.0.113.20/32']);
    expect(network.clusters['prod-east']!.natAddresses.map((nat) => nat.cidr)).toEqual(['203.0.113.10/32']);
    expect(network.clusters.staging!.vpcEndpoints).toEqual([{ endpointId: 'vpce-0a1b2c3d4e5f60718', vpcId: STAGING_VPC }]);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand).map((call) => call.args[0].input.Filters)).toContainEqual([{ Name: 'vpc-id', Values: [STAGING_VPC] }]);
  });

  it('lists no endpoints when asked not to (the containment function fences by address and VPC)', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    await readClusterNetworks(clients, clustersOf({ 'prod-east': { vpcIds: [PROD_VPC] } }), { endpoints: false });
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)).toHaveLength(0);
  });

  it('names a cluster whose calls are refused or throttled, and still reads the others, without throwing', async () => {
    eks.on(DescribeClusterCommand, { name: 'staging' }).rejects(throttled);
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [{ NatGatewayId: 'nat-0aaa1111bbbb22223', VpcId: PROD_VPC, State: 'available', NatGatewayAddresses: [{ PublicIp: '203.0.113.10' }] }],
    });
    const { network, failures } = await readClusterNetworks(clients, clustersOf({ 'prod-east': { vpcIds: [PROD_VPC] }, staging: {} }));
    expect(Object.keys(network.clusters)).toEqual(['prod-east']);
    expect(failures).toEqual([{ cluster: 'staging', call: 'eks:DescribeCluster', error: expect.stringMatching(/^RequestLimitExceeded/) }]);
  });

  it('names the EC2 call AWS refused', async () => {
    ec2.on(DescribeNatGatewaysCommand).rejects(denied);
    const { network, failures } = await readClusterNetworks(clients, clustersOf({ 'prod-east': { vpcIds: [PROD_VPC] } }));
    expect(network.clusters).toEqual({});
    expect(failures).toEqual([{ cluster: 'prod-east', call: 'ec2:DescribeNatGateways', error: expect.stringMatching(/^UnauthorizedOperation/) }]);
  });
});

describe('ClusterNetworkCache', () => {
  const nat = (address: string) => ({
    NatGateways: [{ NatGatewayId: 'nat-0aaa1111bbbb22223', VpcId: PROD_VPC, State: 'available' as const, NatGatewayAddresses: [{ PublicIp: address }] }],
  });

  function cache(now: { time: number }, failures: ClusterNetworkFailure[][]) {
    const clusters = clustersOf({ 'prod-east': { vpcIds: [PROD_VPC] } });
    return new ClusterNetworkCache(() => readClusterNetworks(clients, clusters), { onFailures: (reported) => failures.push(reported), now: () => now.time });
  }

  it('reads once per 15 minutes, and sees a replaced NAT gateway after that', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolvesOnce(nat('203.0.113.10')).resolves(nat('203.0.113.99'));
    const now = { time: 0 };
    const network = cache(now, []);
    const first = await network.network();
    now.time = CLUSTER_NETWORK_TTL_MS - 1;
    expect(await network.network()).toBe(first);
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)).toHaveLength(1);
    now.time = CLUSTER_NETWORK_TTL_MS;
    const second = await network.network();
    expect(second.clusters['prod-east']!.natAddresses.map((address) => address.cidr)).toEqual(['203.0.113.99/32']);
  });

  it('returns the same object while what is read does not change, so the analyzer is not rebuilt', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves(nat('203.0.113.10'));
    const now = { time: 0 };
    const network = cache(now, []);
    const first = await network.network();
    now.time = CLUSTER_NETWORK_TTL_MS;
    expect(await network.network()).toBe(first);
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)).toHaveLength(2);
  });

  it('falls back to nothing read when the first read is refused, and reports it', async () => {
    ec2.on(DescribeNatGatewaysCommand).rejects(denied);
    const failures: ClusterNetworkFailure[][] = [];
    expect(await cache({ time: 0 }, failures).network()).toEqual({ clusters: {} });
    expect(failures.flat().map((failure) => failure.call)).toEqual(['ec2:DescribeNatGateways']);
  });

  it('keeps what it read last for a cluster whose refresh is throttled', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolvesOnce(nat('203.0.113.10')).rejects(throttled);
    const now = { time: 0 };
    const failures: ClusterNetworkFailure[][] = [];
    const network = cache(now, failures);
    const first = await network.network();
    now.time = CLUSTER_NETWORK_TTL_MS;
    expect(await network.network()).toBe(first);
    expect(failures).toHaveLength(1);
  });

  it('survives a read that throws outright, keeping what it had', async () => {
    const failures: ClusterNetworkFailure[][] = [];
    const broken = new ClusterNetworkCache(() => Promise.reject(new Error('socket hang up')), { onFailures: (reported) => failures.push(reported) });
    expect(await broken.network()).toEqual({ clusters: {} });
    expect(failures.flat()).toEqual([expect.objectContaining({ error: 'socket hang up' })]);
  });
});
