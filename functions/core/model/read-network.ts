/**
 * What the deployed stack read from AWS about each configured cluster's network: its VPCs, its
 * NAT gateways' public addresses and its VPC endpoints. Never user configuration (the YAML cannot
 * set it): each value remembers where it was read, so an incident can say why an address counts
 * as the cluster's egress.
 */
export interface ReadNetwork {
  clusters: Record<string, ReadClusterNetwork>;
}

export interface ReadClusterNetwork {
  /** The cluster's VPCs: as configured (vpcIds), else as EKS describes the cluster. */
  vpcIds: ReadVpc[];
  /** One per public address of each available NAT gateway in those VPCs. */
  natAddresses: ReadNatAddress[];
  vpcEndpoints: ReadVpcEndpoint[];
}

export interface ReadVpc {
  vpcId: string;
  /** `config`: the configuration names it; `eks`: eks:DescribeCluster does. */
  from: 'config' | 'eks';
}

export interface ReadNatAddress {
  /** The gateway's public address, as a /32. */
  cidr: string;
  natGatewayId: string;
  vpcId: string;
}

export interface ReadVpcEndpoint {
  endpointId: string;
  vpcId: string;
}
