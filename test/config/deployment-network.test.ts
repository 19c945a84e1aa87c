import { describe, expect, it } from 'vitest';
import { configSchema } from '#core/config';
import { clusterEgressOf, withCurrentNatAddresses, withReadNetwork } from '#core/deployment-network';
import { egressReason } from '#core/detect/index';
import type { ReadClusterNetwork } from '#core/model/read-network';

const VPC = 'vpc-0a1b2c3d4e5f60718';
const OTHER_VPC = 'vpc-0fedcba9876543210';
const ACCOUNT = '111122223333';

function network(vpcId: string, natAddresses: [string, string][], endpoints: string[] = []): ReadClusterNetwork {
  return {
    vpcIds: [{ vpcId, from: 'eks' }],
    natAddresses: natAddresses.map(([address, natGatewayId]) => ({ cidr: `${address}/32`, natGatewayId, vpcId })),
    vpcEndpoints: endpoints.map((endpointId) => ({ endpointId, vpcId })),
  };
}

describe('withReadNetwork', () => {
  const config = configSchema.parse({
    clusters: { 'prod-east': { egressCidrs: ['198.51.100.0/28'], vpcIds: [VPC] }, staging: {} },
    egressCidrs: ['192.0.2.7/32'],
  });

  it('adds what was read beside the configured values, which stay as they are', () => {
    const merged = withReadNetwork(config, { clusters: { 'prod-east': network(VPC, [['203.0.113.10', 'nat-0abc1234def567890']]) } });
    expect(merged.clusters).toEqual(config.clusters);
    expect(merged.egressCidrs).toEqual(config.egressCidrs);
    expect(clusterEgressOf('prod-east', merged)).toEqual({ cidrs: ['198.51.100.0/28', '192.0.2.7/32', '203.0.113.10/32'], vpcIds: [VPC] });
  });

  it('adds the VPC EKS names for a cluster the configuration names no VPC for, to what a fence lets through', () => {
    const merged = withReadNetwork(config, { clusters: { staging: network(OTHER_VPC, [['203.0.113.20', 'nat-0def1234abc567890']]) } });
    expect(clusterEgressOf('staging', merged)).toEqual({ cidrs: ['192.0.2.7/32', '203.0.113.20/32'], vpcIds: [OTHER_VPC] });
    // Another cluster's NAT gateways are not what prod-east's fence lets through.
    expect(clusterEgressOf('prod-east', merged).cidrs).not.toContain('203.0.113.20/32');
  });

  it('gives a member account’s cluster its own egress, configured under its id or its name with its account, and never to a same-named cluster elsewhere', () => {
    const MEMBER = '222233334444';
    const members = configSchema.parse({
      clusters: { payments: { accountId: MEMBER, egressCidrs: ['198.51.100.64/28'] }, [`ledger@${MEMBER}`]: { egressCidrs: ['198.51.100.80/28'] } },
    });
    const merged = withReadNetwork(members, { clusters: { payments: network(OTHER_VPC, [['203.0.113.40', 'nat-0aaa1111bbbb22223']]) } });
    expect(clusterEgressOf(`payments@${MEMBER}`, merged)).toEqual({ cidrs: ['198.51.100.64/28', '203.0.113.40/32'], vpcIds: [OTHER_VPC] });
    expect(clusterEgressOf(`ledger@${MEMBER}`, merged).cidrs).toEqual(['198.51.100.80/28']);
    // The hub's own payments, and a payments of a third account, are other clusters.
    expect(clusterEgressOf('payments', merged)).toEqual({ cidrs: [], vpcIds: [] });
    expect(clusterEgressOf('payments@333344445555', merged)).toEqual({ cidrs: [], vpcIds: [] });
    expect(clusterEgressOf('ledger', merged)).toEqual({ cidrs: [], vpcIds: [] });
  });

  it('ignores a network read for a cluster the configuration does not name', () => {
    const merged = withReadNetwork(config, { clusters: { elsewhere: network(OTHER_VPC, [['203.0.113.30', 'nat-0123456789abcdef0']]) } });
    expect(merged.readNetwork).toEqual({ clusters: {} });
    expect(egressReason('203.0.113.30', new Map(), merged, ACCOUNT)).toBeUndefined();
  });

  it('drops an address no caller could present as aws:SourceIp (a private one)', () => {
    const merged = withReadNetwork(config, { clusters: { staging: network(OTHER_VPC, [['10.0.0.5', 'nat-0123456789abcdef0']]) } });
    expect(merged.readNetwork?.clusters.staging?.natAddresses).toEqual([]);
  });

  it('counts an endpoint EC2 lists in the cluster’s VPC as the cluster’s, naming it and its VPC', () => {
    const merged = withReadNetwork(config, { clusters: { 'prod-east': network(VPC, [], ['vpce-0a1b2c3d4e5f60718']) } });
    const reason = egressReason(`vpce:vpce-0a1b2c3d4e5f60718@${ACCOUNT}`, new Map(), merged, ACCOUNT);
    expect(reason).toContain('vpce-0a1b2c3d4e5f60718');
    expect(reason).toContain(VPC);
    expect(egressReason(`vpce:vpce-0fedcba9876543210@${ACCOUNT}`, new Map(), merged, ACCOUNT)).toBeUndefined();
  });

  it('leaves the configuration schema strict: the YAML cannot claim an address was read from EC2', () => {
    expect(configSchema.safeParse({ readNetwork: { clusters: {} } }).success).toBe(false);
  });
});

describe('withCurrentNatAddresses', () => {
  it('adds the NAT gateways read now for the VPCs the planned fence names, and removes nothing', () => {
    const fence = { egressCidrs: ['203.0.113.10/32'], vpcIds: [VPC] };
    const now = {
      clusters: {
        'prod-east': network(VPC, [['203.0.113.11', 'nat-0abc1234def567890']]),
        staging: network(OTHER_VPC, [['203.0.113.20', 'nat-0def1234abc567890']]),
      },
    };
    expect(withCurrentNatAddresses(fence, now)).toEqual({ egressCidrs: ['203.0.113.10/32', '203.0.113.11/32'], vpcIds: [VPC] });
  });

  it('adds nothing to a fence that names no VPC', () => {
    const fence = { egressCidrs: ['203.0.113.10/32'], vpcIds: [] };
    expect(withCurrentNatAddresses(fence, { clusters: { 'prod-east': network(VPC, [['203.0.113.11', 'nat-0abc1234def567890']]) } })).toEqual(fence);
  });
});
