import { DescribeClusterCommand, DescribePodIdentityAssociationCommand, type EKSClient, paginateListPodIdentityAssociations } from '@aws-sdk/client-eks';

export interface ClusterFacts {
  name: string;
  version?: string;
  /** Whether the Kubernetes API endpoint answers from the internet, and from where. */
  endpointPublicAccess: boolean;
  publicAccessCidrs: string[];
}

/** What EKS itself says about a cluster and the IAM roles it hands to service accounts. */
export interface ClusterDetails {
  describe(cluster: string): Promise<ClusterFacts>;
  /** Roles associated with a service account through EKS Pod Identity. */
  podIdentityRoles(cluster: string, namespace: string, serviceAccount: string): Promise<string[]>;
}

/** One service account rarely has more than one association; a few cover every real case. */
const MAX_ASSOCIATIONS = 5;

/**
 * Needs eks:DescribeCluster, eks:ListPodIdentityAssociations and
 * eks:DescribePodIdentityAssociation (the list does not carry the role).
 */
export class EksClusterDetails implements ClusterDetails {
  constructor(private readonly client: EKSClient) {}

  async describe(cluster: string): Promise<ClusterFacts> {
    const { cluster: found } = await this.client.send(new DescribeClusterCommand({ name: cluster }));
    const vpc = found?.resourcesVpcConfig;
    return {
      name: cluster,
      version: found?.version,
      endpointPublicAccess: vpc?.endpointPublicAccess ?? false,
      publicAccessCidrs: vpc?.publicAccessCidrs ?? [],
    };
  }

  async podIdentityRoles(cluster: string, namespace: string, serviceAccount: string): Promise<string[]> {
    const ids: string[] = [];
    const pages = paginateListPodIdentityAssociations({ client: this.client, pageSize: MAX_ASSOCIATIONS }, { clusterName: cluster, namespace, serviceAccount });
    for await (const page of pages) {
      for (const association of page.associations ?? []) if (association.associationId) ids.push(association.associationId);
      break;
    }
    const roles = await Promise.all(
      ids.map(async (associationId) => {
        const { association } = await this.client.send(new DescribePodIdentityAssociationCommand({ clusterName: cluster, associationId }));
        return association?.roleArn;
      }),
    );
    return [...new Set(roles.filter((role): role is string => Boolean(role)))];
  }
}
