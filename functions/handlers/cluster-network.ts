import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { STSClient } from '@aws-sdk/client-sts';
import type { Config } from '#core/config';
import { ClusterNetworkCache, type ClusterNetworkOptions, readClusterNetworks } from '#adapters/enrichment/cluster-network';
import { type NetworkAccounts, networkClientsOf } from '#adapters/enrichment/network-clients';

/**
 * The configured clusters' networks as EC2 and EKS describe them, read again every 15 minutes, each
 * in its own account and region (a member account's through the member role in `accounts`).
 * analyzer.ts and containment.ts load this module only when the configuration names clusters.
 * A failed read is a warning, never a failed invocation: configured and learned egress still apply.
 */
export function clusterNetworkCache(
  tracer: Tracer,
  logger: Logger,
  clusters: Config['clusters'],
  options: ClusterNetworkOptions,
  accounts: NetworkAccounts = {},
): ClusterNetworkCache {
  const clientsOf = networkClientsOf({
    accounts,
    sts: tracer.captureAWSv3Client(new STSClient({})),
    clientsIn: (region, credentials) => ({
      ec2: tracer.captureAWSv3Client(new EC2Client({ region, credentials })),
      eks: tracer.captureAWSv3Client(new EKSClient({ region, credentials })),
    }),
  });
  return new ClusterNetworkCache(() => readClusterNetworks(clientsOf, clusters, options), {
    onFailures: (failures) =>
      logger.warn("Could not read a cluster's network from AWS; its configured and learned egress still apply, and what was read before", {
        failures,
      }),
  });
}
