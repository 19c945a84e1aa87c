import type { Tracer } from '@aws-lambda-powertools/tracer';
import { EKSClient } from '@aws-sdk/client-eks';
import { STSClient } from '@aws-sdk/client-sts';
import { type ClusterLocation, clusterConnector } from '#adapters/containment/cluster-connector';

export interface ClusterOrganization {
  homeAccountId: string;
  memberRoleName: string;
  /** The regions the member template is deployed in: where a member cluster of no configured region is looked for. */
  memberRegions?: readonly string[];
  /** The configured location of a cluster (config `clusters.NAME.accountId` / `.region`); the undo function has none. */
  locationOf?: (cluster: string) => Promise<ClusterLocation | undefined>;
}

/**
 * Kubernetes access through EKS; containment.ts loads this module (and the Kubernetes client) for the first step that acts on a cluster.
 * With `organization`, a cluster configured in another account is reached through that account's member role.
 */
export function eksClusterConnector(tracer: Tracer, region: string, clusters: readonly string[], organization?: ClusterOrganization) {
  return clusterConnector({
    eks: tracer.captureAWSv3Client(new EKSClient({})),
    region,
    clusters,
    ...(organization
      ? {
          locationOf: organization.locationOf,
          member: {
            homeAccountId: organization.homeAccountId,
            memberRoleName: organization.memberRoleName,
            regions: organization.memberRegions,
            sts: tracer.captureAWSv3Client(new STSClient({})),
          },
        }
      : {}),
    eksOf: (clusterRegion, credentials) => tracer.captureAWSv3Client(new EKSClient({ region: clusterRegion, ...(credentials ? { credentials } : {}) })),
  });
}
