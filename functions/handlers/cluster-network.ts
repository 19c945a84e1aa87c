import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import type { Config } from '#core/config';
import { ClusterNetworkCache, type ClusterNetworkOptions, readClusterNetworks } from '#adapters/enrichment/cluster-network';

/**
 * The configured clusters' networks as EC2 and EKS describe them, read again every 15 minutes.
 * analyzer.ts and containment.ts load this module only when the configuration names clusters.
 * A failed read is a warning, never a failed invocation: configured and learned egress still apply.
 */
export function clusterNetworkCache(tracer: Tracer, logger: Logger, clusters: Config['clusters'], options: ClusterNetworkOptions): ClusterNetworkCache {
  const clients = { ec2: tracer.captureAWSv3Client(new EC2Client({})), eks: tracer.captureAWSv3Client(new EKSClient({})) };
  return new ClusterNetworkCache(() => readClusterNetworks(clients, clusters, options), {
    onFailures: (failures) =>
      logger.warn("Could not read a cluster's network from AWS; its configured and learned egress still apply, and what was read before", {
        failures,
      }),
  });
}
