import { DescribeClusterCommand, DescribePodIdentityAssociationCommand, type EKSClient, paginateListPodIdentityAssociations } from '@aws-sdk/client-eks';
import { clusterAccountOf, clusterNameOf } from '#core/model/cluster-id';
import type { MemberRoleClients } from '../containment/account-clients.ts';
import type { ClusterRegions } from '../containment/cluster-regions.ts';

export interface ClusterFacts {
  /** The cluster id (model/cluster-id.ts). */
  name: string;
  version?: string;
  /** Whether the Kubernetes API endpoint answers from the internet, and from where. */
  endpointPublicAccess: boolean;
  publicAccessCidrs: string[];
}

/** What EKS itself says about a cluster and the IAM roles it hands to service accounts; clusters are named by id (model/cluster-id.ts). */
export interface ClusterDetails {
  describe(cluster: string): Promise<ClusterFacts>;
  /** Roles associated with a service account through EKS Pod Identity. */
  podIdentityRoles(cluster: string, namespace: string, serviceAccount: string): Promise<string[]>;
}

export interface EksClusterClients {
  /** The function's own client: the clusters of its account. */
  home: EKSClient;
  /** Organization mode: EKS in the other accounts, through each one's member reader role. */
  members?: MemberRoleClients<EKSClient>;
  /** The region of another account's cluster when the configuration names one. */
  regionOf?: (clusterId: string) => string | undefined;
  /** Where another account's cluster of no configured region is looked for: the function's own region, then the member regions. */
  searchRegions?: ClusterRegions;
  /** The partition of the member roles. @default aws */
  partition?: string;
}

/** EKS in the cluster's account cannot be read: another account, and pivotguard has no way in (single account, or no member role there). */
export class ClusterNotReadable extends Error {
  constructor(
    readonly clusterId: string,
    readonly accountId: string,
    reason: string,
  ) {
    // Named plain Error so that the enrichment note quotes the message, which names the account, not the class.
    super(`in account ${accountId}: not read (${reason})`);
  }
}

/** One service account rarely has more than one association; a few cover every real case. */
const MAX_ASSOCIATIONS = 5;
/** The STS session name the member role is assumed under (pivotguard-enrichment), as for role policies. */
const ENRICHMENT_SESSION = 'enrichment';

/**
 * Reads a cluster in its own account: a home cluster through the function's client, another
 * account's (`NAME@ACCOUNT`) through that account's member reader role in organization mode, else
 * refused, never looked up by name here, where a same-named cluster is another cluster.
 * Needs eks:DescribeCluster, eks:ListPodIdentityAssociations and
 * eks:DescribePodIdentityAssociation (the list does not carry the role).
 */
export class EksClusterDetails implements ClusterDetails {
  private readonly clients: EksClusterClients;

  /** One client for the home account's clusters only, or the clients of every account it may read. */
  constructor(eks: EKSClient | EksClusterClients) {
    this.clients = 'send' in eks ? { home: eks } : eks;
  }

  async describe(cluster: string): Promise<ClusterFacts> {
    const found = await this.inCluster(cluster, async (client, name) => (await client.send(new DescribeClusterCommand({ name }))).cluster);
    const vpc = found?.resourcesVpcConfig;
    return {
      name: cluster,
      version: found?.version,
      endpointPublicAccess: vpc?.endpointPublicAccess ?? false,
      publicAccessCidrs: vpc?.publicAccessCidrs ?? [],
    };
  }

  async podIdentityRoles(cluster: string, namespace: string, serviceAccount: string): Promise<string[]> {
    return this.inCluster(cluster, (client, name) => this.associatedRoles(client, name, namespace, serviceAccount));
  }

  private async associatedRoles(client: EKSClient, name: string, namespace: string, serviceAccount: string): Promise<string[]> {
    const ids: string[] = [];
    const pages = paginateListPodIdentityAssociations({ client, pageSize: MAX_ASSOCIATIONS }, { clusterName: name, namespace, serviceAccount });
    for await (const page of pages) {
      for (const association of page.associations ?? []) if (association.associationId) ids.push(association.associationId);
      break;
    }
    const roles = await Promise.all(
      ids.map(async (associationId) => {
        const { association } = await client.send(new DescribePodIdentityAssociationCommand({ clusterName: name, associationId }));
        return association?.roleArn;
      }),
    );
    return [...new Set(roles.filter((role): role is string => Boolean(role)))];
  }

  /** Runs `use` with the client of the cluster's account and region and the EKS name to ask it for. */
  private async inCluster<T>(clusterId: string, use: (client: EKSClient, name: string) => Promise<T>): Promise<T> {
    const name = clusterNameOf(clusterId);
    const accountId = clusterAccountOf(clusterId);
    if (!accountId) {
      // NAME@something that is no account: not an id pivotguard made, and not to be read as the home cluster NAME.
      if (name !== clusterId) throw new Error(`not a cluster id: ${clusterId}`);
      return use(this.clients.home, name);
    }
    const { members, regionOf, searchRegions, partition } = this.clients;
    if (!members) throw new ClusterNotReadable(clusterId, accountId, 'pivotguard reads another account only in organization mode, through its member role');
    const inRegion = async (region: string | undefined) => {
      const access = await members.clientIn(accountId, ENRICHMENT_SESSION, { partition, region });
      if ('refused' in access) throw new ClusterNotReadable(clusterId, accountId, access.refused);
      return use(access.client, name);
    };
    const configured = regionOf?.(clusterId);
    return configured || !searchRegions ? inRegion(configured) : searchRegions.inRegionOf(clusterId, inRegion);
  }
}
