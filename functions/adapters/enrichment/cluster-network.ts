import { type EC2Client, paginateDescribeNatGateways, paginateDescribeVpcEndpoints } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { Config } from '#core/config';
import { clusterAccountOf, clusterNameOf } from '#core/model/cluster-id';
import type { ReadClusterNetwork, ReadNetwork, ReadVpc } from '#core/model/read-network';
import { errorName } from '#adapters/error-name';

/** A cluster whose network could not be read: its configured and learned egress still apply. */
export interface ClusterNetworkFailure {
  cluster: string;
  /** The call that failed, e.g. ec2:DescribeNatGateways. */
  call: string;
  error: string;
}

export interface ClusterNetworkReading {
  network: ReadNetwork;
  failures: ClusterNetworkFailure[];
}

/** The EC2 and EKS clients that read one cluster's network. */
export interface NetworkClients {
  ec2: EC2Client;
  eks: EKSClient;
}

/** Where a configured cluster runs: its account when not the function's, its region when configured. */
export interface ClusterPlace {
  accountId?: string;
  region?: string;
}

/** The clients of a cluster's account and region, or why pivotguard cannot read there (another account without a member role). */
export type NetworkClientsOf = (place: ClusterPlace) => Promise<NetworkClients | { refused: string }>;

export interface ClusterNetworkOptions {
  /** Whether to list the VPCs' endpoints too (the analyzer judges calls through them; a fence only needs addresses and VPCs). */
  endpoints: boolean;
}

/**
 * Reads each configured cluster's network, in the cluster's own account and region (clientsOf):
 * its VPCs (configured, else eks:DescribeCluster's), the
 * public addresses of the available NAT gateways in them (ec2:DescribeNatGateways) and their VPC
 * endpoints (ec2:DescribeVpcEndpoints). A cluster whose calls fail is left out and named in
 * `failures`, never thrown: the others are still read, and its configured egress still applies.
 */
export async function readClusterNetworks(
  clientsOf: NetworkClients | NetworkClientsOf,
  clusters: Config['clusters'],
  options: ClusterNetworkOptions = { endpoints: true },
): Promise<ClusterNetworkReading> {
  const failures: ClusterNetworkFailure[] = [];
  const read = await Promise.all(
    Object.entries(clusters).map(async ([key, configured]): Promise<[string, ReadClusterNetwork] | undefined> => {
      // The configuration names a cluster by its id (NAME@ACCOUNT for another account's) or by its name with its accountId.
      const place = { accountId: clusterAccountOf(key) ?? configured.accountId, region: configured.region };
      let call = 'sts:AssumeRole';
      try {
        const clients = typeof clientsOf === 'function' ? await clientsOf(place) : clientsOf;
        if ('refused' in clients) {
          failures.push({ cluster: key, call, error: clients.refused });
          return undefined;
        }
        call = 'eks:DescribeCluster';
        const vpcIds: ReadVpc[] =
          configured.vpcIds.length > 0 ? configured.vpcIds.map((vpcId) => ({ vpcId, from: 'config' })) : await vpcOfCluster(clients.eks, clusterNameOf(key));
        if (vpcIds.length === 0) return undefined;
        const ids = vpcIds.map((vpc) => vpc.vpcId);
        call = 'ec2:DescribeNatGateways';
        const natAddresses = await natAddressesIn(clients.ec2, ids);
        call = 'ec2:DescribeVpcEndpoints';
        return [key, { vpcIds, natAddresses, vpcEndpoints: options.endpoints ? await endpointsIn(clients.ec2, ids) : [] }];
      } catch (error) {
        failures.push({ cluster: key, call, error: errorName(error) });
        return undefined;
      }
    }),
  );
  return { network: { clusters: Object.fromEntries(read.filter((entry) => entry !== undefined)) }, failures };
}

async function vpcOfCluster(eks: EKSClient, cluster: string): Promise<ReadVpc[]> {
  const { cluster: described } = await eks.send(new DescribeClusterCommand({ name: cluster }));
  const vpcId = described?.resourcesVpcConfig?.vpcId;
  return vpcId ? [{ vpcId, from: 'eks' }] : [];
}

async function natAddressesIn(ec2: EC2Client, vpcIds: string[]): Promise<ReadClusterNetwork['natAddresses']> {
  const addresses: ReadClusterNetwork['natAddresses'] = [];
  const pages = paginateDescribeNatGateways(
    { client: ec2 },
    {
      Filter: [
        { Name: 'vpc-id', Values: vpcIds },
        { Name: 'state', Values: ['available'] },
      ],
    },
  );
  for await (const page of pages) {
    for (const gateway of page.NatGateways ?? []) {
      // A gateway being created or deleted carries no traffic; a private one has no public address.
      if (gateway.State !== 'available' || !gateway.NatGatewayId || !gateway.VpcId) continue;
      for (const address of gateway.NatGatewayAddresses ?? []) {
        if (address.PublicIp) addresses.push({ cidr: `${address.PublicIp}/32`, natGatewayId: gateway.NatGatewayId, vpcId: gateway.VpcId });
      }
    }
  }
  return addresses;
}

async function endpointsIn(ec2: EC2Client, vpcIds: string[]): Promise<ReadClusterNetwork['vpcEndpoints']> {
  const endpoints: ReadClusterNetwork['vpcEndpoints'] = [];
  for await (const page of paginateDescribeVpcEndpoints({ client: ec2 }, { Filters: [{ Name: 'vpc-id', Values: vpcIds }] })) {
    for (const endpoint of page.VpcEndpoints ?? []) {
      if (endpoint.VpcEndpointId && endpoint.VpcId) endpoints.push({ endpointId: endpoint.VpcEndpointId, vpcId: endpoint.VpcId });
    }
  }
  return endpoints;
}

/** NAT gateways can be replaced: what was read is used for this long, then read again. */
export const CLUSTER_NETWORK_TTL_MS = 15 * 60_000;

/**
 * The clusters' networks, read at most once per TTL per container. A cluster that fails to read
 * keeps what was last read for it (a NAT gateway rarely changes between two reads; dropping its
 * addresses on a throttled call would turn the cluster's own calls into alerts), and a cluster
 * never read falls back to its configured and learned egress. The same object comes back until
 * what is read changes, so a caller can tell when to rebuild what depends on it.
 */
export class ClusterNetworkCache {
  private current: ReadNetwork | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<ReadNetwork> | undefined;

  constructor(
    private readonly read: () => Promise<ClusterNetworkReading>,
    private readonly options: {
      onFailures: (failures: ClusterNetworkFailure[]) => void;
      ttlMs?: number;
      now?: () => number;
    },
  ) {}

  network(): Promise<ReadNetwork> {
    const now = (this.options.now ?? Date.now)();
    if (this.current && now - this.readAt < (this.options.ttlMs ?? CLUSTER_NETWORK_TTL_MS)) return Promise.resolve(this.current);
    this.reading ??= this.refresh(now).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async refresh(now: number): Promise<ReadNetwork> {
    const previous = this.current?.clusters ?? {};
    let reading: ClusterNetworkReading;
    try {
      reading = await this.read();
    } catch (error) {
      reading = { network: { clusters: previous }, failures: [{ cluster: '(every cluster)', call: 'read', error: errorName(error) }] };
    }
    if (reading.failures.length > 0) this.options.onFailures(reading.failures);
    const failed = new Set(reading.failures.map((failure) => failure.cluster));
    const kept = Object.entries(previous).filter(([name]) => failed.has(name));
    const next: ReadNetwork = { clusters: { ...Object.fromEntries(kept), ...reading.network.clusters } };
    if (!this.current || JSON.stringify(next) !== JSON.stringify(this.current)) this.current = next;
    this.readAt = now;
    return this.current;
  }
}
