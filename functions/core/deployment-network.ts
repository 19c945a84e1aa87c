import { type Config, configuredClusterKey } from '#core/config';
import { inAnyRange, isPublicAddress } from '#core/model/address';
import type { ReadClusterNetwork, ReadNetwork } from '#core/model/read-network';
import type { RoleFence } from '#core/respond/role-fence';

/**
 * The cluster's egress in the deployed stack: what the configuration says, and what was read
 * from EC2 and EKS about the configured clusters' networks (adapters/enrichment/cluster-network.ts).
 * Configured values stay as they are and keep being the reason given first; read values are
 * added beside them, each remembering the NAT gateway or endpoint it was read from.
 */
export function withReadNetwork(config: Config, read: ReadNetwork): Config {
  const clusters: Record<string, ReadClusterNetwork> = {};
  for (const [name, network] of Object.entries(read.clusters)) {
    // Only the configured clusters' networks count: those are the ones the stack may describe.
    if (!(name in config.clusters)) continue;
    // AWS never sees a private address as a caller's aws:SourceIp: it is no egress, and a fence would refuse it.
    clusters[name] = { ...network, natAddresses: network.natAddresses.filter((nat) => isPublicAddress(nat.cidr.split('/')[0]!)) };
  }
  return { ...config, readNetwork: { clusters } };
}

/**
 * What a fence lets through for a workload of `cluster`: the egress addresses configured for it
 * and for every cluster, its NAT gateways' addresses read from EC2, and its VPCs.
 */
export function clusterEgressOf(cluster: string | null, config: Config): { cidrs: string[]; vpcIds: string[] } {
  const key = cluster ? configuredClusterKey(config, cluster) : undefined;
  const own = key === undefined ? undefined : config.clusters[key];
  const read = key === undefined ? undefined : config.readNetwork?.clusters[key];
  const cidrs = [...(own?.egressCidrs ?? []), ...config.egressCidrs, ...(read?.natAddresses.map((nat) => nat.cidr) ?? [])];
  const vpcIds = [...(own?.vpcIds ?? []), ...(read?.vpcIds.map((vpc) => vpc.vpcId) ?? [])];
  return { cidrs: [...new Set(cidrs)], vpcIds: [...new Set(vpcIds)] };
}

/** Why a public address is a cluster's egress when it is a NAT gateway's address read from EC2. */
export function readEgressReason(address: string, config: Config): string | undefined {
  for (const [name, network] of Object.entries(config.readNetwork?.clusters ?? {})) {
    const nat = network.natAddresses.find((candidate) => inAnyRange(address, [candidate.cidr]));
    if (nat) return `NAT gateway ${nat.natGatewayId} of ${nat.vpcId} (cluster ${name}), read from EC2`;
  }
  return undefined;
}

/** Why a VPC endpoint is a cluster's when EC2 lists it in the cluster's VPC. */
export function readEndpointReason(endpointId: string, config: Config): string | undefined {
  for (const [name, network] of Object.entries(config.readNetwork?.clusters ?? {})) {
    const endpoint = network.vpcEndpoints.find((candidate) => candidate.endpointId === endpointId);
    if (endpoint) return `VPC endpoint ${endpoint.endpointId} of ${endpoint.vpcId} (cluster ${name}), read from EC2`;
  }
  return undefined;
}

/**
 * A fence planned when the incident opened, with the NAT gateway addresses read now for the VPCs
 * it names: a NAT gateway replaced between the plan and the approval would otherwise leave the
 * cluster's own calls outside the fence. Nothing is removed from what was planned.
 */
export function withCurrentNatAddresses(fence: RoleFence, read: ReadNetwork): RoleFence {
  const vpcs = new Set(fence.vpcIds);
  const current = Object.values(read.clusters)
    .flatMap((network) => network.natAddresses)
    .filter((nat) => vpcs.has(nat.vpcId) && isPublicAddress(nat.cidr.split('/')[0]!))
    .map((nat) => nat.cidr);
  return { ...fence, egressCidrs: [...new Set([...fence.egressCidrs, ...current])] };
}
